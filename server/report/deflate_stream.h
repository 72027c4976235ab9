#pragma once
// Incremental raw deflate (zlib, no header: the form a zip entry holds) into memory, keeping
// the CRC-32 and the size of what went in. Not thread-safe, but separate streams may run on
// separate threads. One zip entry is one stream, or several streams joined (as pigz does):
// each but the last ends with a sync flush (byte-aligned, no final block), so their bytes one
// after the other are one valid deflate stream.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"

namespace tally::server {

//! A finished deflate stream: the compressed bytes and what a zip header says of the input.
struct Deflated {
    std::string data;         //!< raw deflate (RFC 1951)
    std::uint32_t crc32 = 0;  //!< CRC-32 of the uncompressed bytes
    std::uint64_t size = 0;   //!< uncompressed size in bytes
};

class DeflateStream {
  public:
    //! A stream at zlib's default level. Errors: xlsx (zlib could not start).
    static Result<DeflateStream> create();

    DeflateStream(DeflateStream&&) noexcept;
    DeflateStream& operator=(DeflateStream&&) noexcept;
    ~DeflateStream();

    //! Compresses `data` (any length). Errors: xlsx (zlib, or the stream is finished).
    Result<void> write(std::string_view data);
    //! Ends the stream and hands over the result; the stream takes no more writes.
    //! `last` false: ends with a sync flush instead, for join_deflated() with what follows.
    Result<Deflated> finish(bool last = true);

  private:
    struct State;
    explicit DeflateStream(std::unique_ptr<State> state);
    Result<void> run(int flush);

    std::unique_ptr<State> state_;  // z_stream must not move once initialised: on the heap
};

//! Streams finished in this order (all but the last with `last` false) as one stream.
Deflated join_deflated(std::vector<Deflated> parts);

//! `data` deflated in one go (the small parts of a workbook).
Result<Deflated> deflate_all(std::string_view data);

}  // namespace tally::server

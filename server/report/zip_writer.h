#pragma once
// A zip archive in memory whose entries arrive already deflated (DeflateStream), so each local
// header carries its CRC-32 and sizes up front (no data descriptors). Plain zip, no zip64: an
// entry or archive of 4 GiB or more, or more than 65535 entries, is an error. Every entry is
// dated 1980-01-01 00:00 (the DOS epoch), as libxlsxwriter does.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/report/deflate_stream.h"

namespace tally::server {

class ZipWriter {
  public:
    //! Appends `entry` (deflated) as file `name`. Errors: xlsx (too large, too many, finished).
    Result<void> add(std::string_view name, const Deflated& entry);
    //! Writes the central directory and the end record; the archive's bytes.
    Result<std::string> finish();

    //! What the headers say of one entry (its local and its central header).
    struct Entry {
        std::string name;
        std::uint32_t crc32;
        std::uint32_t compressed;
        std::uint32_t size;
        std::uint32_t offset;  // of the local header
    };

  private:
    std::string out_;
    std::vector<Entry> entries_;
    bool finished_ = false;
};

}  // namespace tally::server

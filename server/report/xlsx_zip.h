#pragma once
// A ZIP archive written front to back in one pass, for the XLSX package (xlsx_book.h): each
// entry is deflated (zlib's fastest level) as its bytes arrive, its CRC-32 and sizes follow it
// in a data descriptor, and the central directory is written at the end. The caller fills one
// 256 KiB buffer while a second thread deflates the one before (two cores: the XML is made and
// compressed at once); only those two buffers are held, whatever the entry's size. No ZIP64:
// an entry or the archive beyond 4 GiB is an error (a 1,000,000-device report is ~1 GB of
// sheet XML, ~0.1 GB zipped).

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <zlib.h>

#include "pairing/result.h"

namespace tally::server {

class ZipStream {
  public:
    explicit ZipStream(std::ostream& out);
    ~ZipStream();
    ZipStream(const ZipStream&) = delete;
    ZipStream& operator=(const ZipStream&) = delete;

    //! Starts an entry (the previous one must have ended). Names are ASCII paths.
    void begin(std::string name);
    //! Bytes of the current entry; buffered, deflated 256 KiB at a time.
    void write(std::string_view bytes) {
        buffer_.append(bytes);
        if (buffer_.size() >= kChunk) {
            flush_buffer();
        }
    }
    //! The buffer bytes are appended to (then call wrote(); saves a copy in hot loops).
    std::string& buffer() { return buffer_; }
    void wrote() {
        if (buffer_.size() >= kChunk) {
            flush_buffer();
        }
    }
    //! Ends the current entry (its data descriptor).
    void end();
    //! The central directory. Errors: xlsx (beyond ZIP's 4 GiB), io (the stream failed).
    Result<void> finish();

  private:
    static constexpr std::size_t kChunk = 256 * 1024;
    struct Entry {
        std::string name;
        std::uint32_t crc = 0;
        std::uint64_t packed = 0;
        std::uint64_t raw = 0;
        std::uint64_t offset = 0;
    };
    void flush_buffer();
    //! Hands buffer_ to the deflating thread (waits for it to take the one before).
    void hand_over(int flush);
    void wait_idle();
    void run();
    void deflate_some(const std::string& bytes, int flush);
    void put(std::string_view bytes);

    std::ostream& out_;
    // Touched by the deflating thread while it works, by the caller only when it is idle:
    std::uint64_t at_ = 0;  // bytes written to out_
    std::vector<Entry> entries_;
    z_stream z_{};
    std::string packed_;  // deflate's output, reused
    bool open_ = false;
    bool too_big_ = false;

    std::string buffer_;  // the caller's
    std::mutex mutex_;
    std::condition_variable changed_;
    std::string pending_;     // the deflating thread's (swapped with buffer_)
    int pending_flush_ = -1;  // -1: nothing pending
    bool stop_ = false;
    std::thread worker_;  // last: started when the rest is ready
};

}  // namespace tally::server

// A ZIP archive in one pass (see xlsx_zip.h): local header with bit 3 set (sizes in a data
// descriptor after the data), raw deflate, central directory at the end.

#include "server/report/xlsx_zip.h"

#include <limits>
#include <stdexcept>

namespace tally::server {
namespace {

constexpr std::uint16_t kVersion = 20;    // 2.0: deflate
constexpr std::uint16_t kFlags = 0x0008;  // sizes and CRC in the data descriptor
constexpr std::uint16_t kDeflated = 8;
constexpr std::uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;  // 1980-01-01, as libxlsxwriter
constexpr std::uint64_t kMax32 = std::numeric_limits<std::uint32_t>::max();

void le16(std::string& out, std::uint16_t v) {
    out.push_back(static_cast<char>(v & 0xff));
    out.push_back(static_cast<char>(v >> 8));
}

void le32(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 4; ++i) {
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
}

}  // namespace

ZipStream::ZipStream(std::ostream& out) : out_(out) {
    buffer_.reserve(kChunk + 4096);
    pending_.reserve(kChunk + 4096);
    packed_.resize(kChunk);
    worker_ = std::thread([this] { run(); });
}

ZipStream::~ZipStream() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    changed_.notify_all();
    worker_.join();
    if (open_) {
        deflateEnd(&z_);
    }
}

void ZipStream::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        changed_.wait(lock, [&] { return stop_ || pending_flush_ >= 0; });
        if (pending_flush_ < 0) {
            return;  // stopped, nothing left
        }
        const int flush = pending_flush_;
        lock.unlock();
        deflate_some(pending_, flush);
        lock.lock();
        pending_flush_ = -1;
        changed_.notify_all();
    }
}

void ZipStream::wait_idle() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return pending_flush_ < 0; });
}

void ZipStream::hand_over(int flush) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return pending_flush_ < 0; });
    pending_.swap(buffer_);
    pending_flush_ = flush;
    lock.unlock();
    changed_.notify_all();
    buffer_.clear();
}

void ZipStream::put(std::string_view bytes) {
    out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    at_ += bytes.size();
}

void ZipStream::begin(std::string name) {
    wait_idle();
    Entry e;
    e.name = std::move(name);
    e.crc = static_cast<std::uint32_t>(crc32(0, nullptr, 0));
    e.offset = at_;
    std::string h;
    le32(h, 0x04034b50);
    le16(h, kVersion);
    le16(h, kFlags);
    le16(h, kDeflated);
    le16(h, 0);  // time 00:00
    le16(h, kDosDate);
    le32(h, 0);  // CRC, sizes: in the data descriptor
    le32(h, 0);
    le32(h, 0);
    le16(h, static_cast<std::uint16_t>(e.name.size()));
    le16(h, 0);
    h += e.name;
    put(h);
    entries_.push_back(std::move(e));
    z_ = {};
    // Level 1: the sheets are repetitive XML; level 6 (libxlsxwriter's) costs twice the time
    // for a file ~20 % smaller (bench/README.md).
    if (deflateInit2(&z_, 1, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("zlib could not start a deflate stream");
    }
    open_ = true;
}

void ZipStream::deflate_some(const std::string& bytes, int flush) {
    auto& e = entries_.back();
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z_.avail_in = static_cast<uInt>(bytes.size());
    e.crc = static_cast<std::uint32_t>(crc32(e.crc, z_.next_in, z_.avail_in));
    e.raw += bytes.size();
    int rc = Z_OK;
    do {
        z_.next_out = reinterpret_cast<Bytef*>(packed_.data());
        z_.avail_out = static_cast<uInt>(packed_.size());
        rc = deflate(&z_, flush);
        const auto n = packed_.size() - z_.avail_out;
        e.packed += n;
        put(std::string_view(packed_.data(), n));
    } while (z_.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
}

void ZipStream::flush_buffer() {
    hand_over(Z_NO_FLUSH);
}

void ZipStream::end() {
    hand_over(Z_FINISH);
    wait_idle();
    deflateEnd(&z_);
    open_ = false;
    const auto& e = entries_.back();
    too_big_ = too_big_ || e.raw > kMax32 || e.packed > kMax32;
    std::string d;
    le32(d, 0x08074b50);
    le32(d, e.crc);
    le32(d, e.packed);
    le32(d, e.raw);
    put(d);
}

Result<void> ZipStream::finish() {
    wait_idle();
    const auto start = at_;
    std::string dir;
    for (const auto& e : entries_) {
        le32(dir, 0x02014b50);
        le16(dir, kVersion);  // made by: MS-DOS, 2.0
        le16(dir, kVersion);
        le16(dir, kFlags);
        le16(dir, kDeflated);
        le16(dir, 0);
        le16(dir, kDosDate);
        le32(dir, e.crc);
        le32(dir, e.packed);
        le32(dir, e.raw);
        le16(dir, static_cast<std::uint16_t>(e.name.size()));
        le16(dir, 0);  // extra
        le16(dir, 0);  // comment
        le16(dir, 0);  // disk
        le16(dir, 0);  // internal attributes
        le32(dir, 0);  // external attributes
        le32(dir, e.offset);
        dir += e.name;
    }
    too_big_ = too_big_ || start > kMax32;
    std::string tail;
    le32(tail, 0x06054b50);
    le16(tail, 0);
    le16(tail, 0);
    le16(tail, static_cast<std::uint16_t>(entries_.size()));
    le16(tail, static_cast<std::uint16_t>(entries_.size()));
    le32(tail, dir.size());
    le32(tail, start);
    le16(tail, 0);
    if (too_big_) {
        return make_error("xlsx", "the workbook is beyond ZIP's 4 GiB (no ZIP64 here)");
    }
    put(dir);
    put(tail);
    out_.flush();
    if (!out_) {
        return make_error("io", "the XLSX book could not be written");
    }
    return {};
}

}  // namespace tally::server

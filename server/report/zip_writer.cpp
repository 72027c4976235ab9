// Zip archive writer (see zip_writer.h). Layout per PKWARE APPNOTE 6.3: local header + data for
// each entry, then one central directory header per entry, then the end of central directory.

#include "server/report/zip_writer.h"

#include <limits>

namespace tally::server {
namespace {

constexpr std::uint64_t kMax32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint16_t kVersion = 20;      // 2.0: deflate
constexpr std::uint16_t kDeflated = 8;      // compression method
constexpr std::uint16_t kDosDate = 0x0021;  // 1980-01-01: (year-1980)<<9 | month<<5 | day
constexpr std::uint16_t kDosTime = 0;

void put16(std::string& out, std::uint16_t v) {
    out += static_cast<char>(v & 0xff);
    out += static_cast<char>(v >> 8);
}

void put32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) {
        out += static_cast<char>((v >> (8 * i)) & 0xff);
    }
}

//! The fields the local and the central header share, from "version needed to extract" to
//! "extra field length" (flags 0: sizes known up front, no data descriptor).
void put_entry_fields(std::string& out, const ZipWriter::Entry& e) {
    put16(out, kVersion);  // version needed to extract
    put16(out, 0);         // flags
    put16(out, kDeflated);
    put16(out, kDosTime);
    put16(out, kDosDate);
    put32(out, e.crc32);
    put32(out, e.compressed);
    put32(out, e.size);
    put16(out, static_cast<std::uint16_t>(e.name.size()));
    put16(out, 0);  // extra field length
}

}  // namespace

Result<void> ZipWriter::add(std::string_view name, const Deflated& entry) {
    if (finished_) {
        return make_error("xlsx", "zip archive already finished");
    }
    if (entries_.size() >= 0xffff) {
        return make_error("xlsx", "zip archive: more than 65535 entries (zip64 not supported)");
    }
    if (name.empty() || name.size() > 0xffff) {
        return make_error("xlsx", "zip archive: bad entry name length");
    }
    if (entry.size >= kMax32 || entry.data.size() >= kMax32) {
        return make_error("xlsx", "zip archive: entry " + std::string(name) +
                                      " is 4 GiB or larger (zip64 not supported)");
    }
    const std::uint64_t end = out_.size() + 30 + name.size() + entry.data.size();
    if (end >= kMax32) {
        return make_error("xlsx", "zip archive: 4 GiB or larger (zip64 not supported)");
    }
    Entry e{std::string(name), entry.crc32, static_cast<std::uint32_t>(entry.data.size()),
            static_cast<std::uint32_t>(entry.size), static_cast<std::uint32_t>(out_.size())};
    out_.reserve(end);
    put32(out_, 0x04034b50);  // local file header signature
    put_entry_fields(out_, e);
    out_ += e.name;
    out_ += entry.data;
    entries_.push_back(std::move(e));
    return {};
}

Result<std::string> ZipWriter::finish() {
    if (finished_) {
        return make_error("xlsx", "zip archive already finished");
    }
    const std::uint64_t directory_offset = out_.size();
    for (const auto& e : entries_) {
        put32(out_, 0x02014b50);  // central directory header signature
        put16(out_, kVersion);    // version made by (MS-DOS attributes)
        put_entry_fields(out_, e);
        put16(out_, 0);  // comment length
        put16(out_, 0);  // disk number start
        put16(out_, 0);  // internal attributes
        put32(out_, 0);  // external attributes
        put32(out_, e.offset);
        out_ += e.name;
    }
    const std::uint64_t directory_size = out_.size() - directory_offset;
    if (out_.size() + 22 >= kMax32) {
        return make_error("xlsx", "zip archive: 4 GiB or larger (zip64 not supported)");
    }
    const auto count = static_cast<std::uint16_t>(entries_.size());
    put32(out_, 0x06054b50);  // end of central directory signature
    put16(out_, 0);           // number of this disk
    put16(out_, 0);           // disk where the central directory starts
    put16(out_, count);       // entries on this disk
    put16(out_, count);       // entries in total
    put32(out_, static_cast<std::uint32_t>(directory_size));
    put32(out_, static_cast<std::uint32_t>(directory_offset));
    put16(out_, 0);  // comment length
    finished_ = true;
    entries_.clear();
    return std::move(out_);
}

}  // namespace tally::server

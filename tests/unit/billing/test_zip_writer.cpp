// ZipWriter + DeflateStream: archives read back with zlib's inflate by a minimal zip reader
// here (end record → central directory → local headers), checking names, offsets, sizes and
// CRC-32 against the original bytes; and the no-zip64 limits as errors.

#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "server/report/deflate_stream.h"
#include "server/report/zip_writer.h"

using namespace tally::server;

namespace {

std::uint32_t get16(const std::string& s, std::size_t at) {
    return static_cast<unsigned char>(s.at(at)) | (static_cast<unsigned char>(s.at(at + 1)) << 8);
}
std::uint32_t get32(const std::string& s, std::size_t at) {
    return get16(s, at) | (get16(s, at + 2) << 16);
}

std::string inflate_raw(const std::string& data, std::size_t expected) {
    z_stream z{};
    REQUIRE(inflateInit2(&z, -15) == Z_OK);
    std::string out(expected + 1, '\0');  // one spare byte: inflating more would be a bug
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_FINISH);
    const auto produced = out.size() - z.avail_out;
    const auto unread = z.avail_in;
    inflateEnd(&z);
    CHECK(rc == Z_STREAM_END);
    CHECK(unread == 0);  // the entry holds exactly one deflate stream
    out.resize(produced);
    return out;
}

struct Read {
    std::string name;
    std::string data;
};

//! Reads every entry of `zip` through its central directory, checking the headers agree.
std::vector<Read> read_zip(const std::string& zip) {
    REQUIRE(zip.size() >= 22);
    const std::size_t end = zip.size() - 22;  // no archive comment
    REQUIRE(get32(zip, end) == 0x06054b50);
    const auto count = get16(zip, end + 10);
    CHECK(get16(zip, end + 8) == count);
    const auto dir_size = get32(zip, end + 12);
    const auto dir_offset = get32(zip, end + 16);
    CHECK(dir_offset + dir_size == end);
    std::vector<Read> out;
    std::size_t at = dir_offset;
    std::size_t expected_offset = 0;  // entries are written back to back
    for (std::uint32_t i = 0; i < count; ++i) {
        REQUIRE(get32(zip, at) == 0x02014b50);
        CHECK(get16(zip, at + 10) == 8);       // deflate
        CHECK(get16(zip, at + 12) == 0x0000);  // time 00:00
        CHECK(get16(zip, at + 14) == 0x0021);  // 1980-01-01
        const auto crc = get32(zip, at + 16);
        const auto compressed = get32(zip, at + 20);
        const auto size = get32(zip, at + 24);
        const auto name_len = get16(zip, at + 28);
        const auto local = get32(zip, at + 42);
        const std::string name = zip.substr(at + 46, name_len);
        at += 46 + name_len + get16(zip, at + 30) + get16(zip, at + 32);

        CHECK(local == expected_offset);
        REQUIRE(get32(zip, local) == 0x04034b50);
        CHECK(get16(zip, local + 6) == 0);  // no data descriptor
        CHECK(get32(zip, local + 14) == crc);
        CHECK(get32(zip, local + 18) == compressed);
        CHECK(get32(zip, local + 22) == size);
        CHECK(zip.substr(local + 30, get16(zip, local + 26)) == name);
        const auto data_at = local + 30 + get16(zip, local + 26) + get16(zip, local + 28);
        expected_offset = data_at + compressed;
        const auto data = inflate_raw(zip.substr(data_at, compressed), size);
        CHECK(data.size() == size);
        CHECK(::crc32(::crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(data.data()),
                      static_cast<uInt>(data.size())) == crc);
        out.push_back({name, data});
    }
    CHECK(at == end);
    CHECK(expected_offset == dir_offset);
    return out;
}

//! Several MB that compress somewhat: XML-like lines with random numbers.
std::string sample(std::size_t lines) {
    std::mt19937 rng(7);
    std::string s;
    for (std::size_t i = 0; i < lines; ++i) {
        s += "<row r=\"" + std::to_string(i) + "\"><c><v>" + std::to_string(rng()) +
             "</v></c></row>\n";
    }
    return s;
}

}  // namespace

TEST_CASE("a streamed deflate equals its input, however the writes are cut") {
    const auto input = sample(200000);  // ~9 MB, well over any internal buffer
    auto stream = DeflateStream::create();
    REQUIRE(stream.ok());
    std::size_t at = 0;
    std::size_t cut = 1;
    while (at < input.size()) {
        const auto n = std::min(cut, input.size() - at);
        REQUIRE(stream->write(std::string_view(input).substr(at, n)).ok());
        at += n;
        cut = cut * 3 + 1;  // 1, 4, 13, … up to megabytes
    }
    auto done = stream->finish();
    REQUIRE(done.ok());
    CHECK(done->size == input.size());
    CHECK(done->data.size() < input.size() / 2);
    CHECK(done->crc32 == ::crc32(::crc32(0L, Z_NULL, 0),
                                 reinterpret_cast<const Bytef*>(input.data()),
                                 static_cast<uInt>(input.size())));
    CHECK(inflate_raw(done->data, input.size()) == input);

    CHECK_FALSE(stream->write("more").ok());  // finished streams refuse
    CHECK_FALSE(stream->finish().ok());
}

TEST_CASE("deflate streams ended with a sync flush join into one stream") {
    const auto input = sample(30000);
    const std::size_t cuts[] = {0, 1, 100000, input.size()};  // an empty part included
    std::vector<Deflated> parts;
    for (std::size_t i = 0; i + 1 < std::size(cuts); ++i) {
        auto stream = DeflateStream::create();
        REQUIRE(stream.ok());
        REQUIRE(stream->write(std::string_view(input).substr(cuts[i], cuts[i + 1] - cuts[i])).ok());
        auto part = stream->finish(i + 2 == std::size(cuts));
        REQUIRE(part.ok());
        parts.push_back(std::move(*part));
    }
    const auto joined = join_deflated(std::move(parts));
    CHECK(joined.size == input.size());
    CHECK(joined.crc32 == ::crc32(::crc32(0L, Z_NULL, 0),
                                  reinterpret_cast<const Bytef*>(input.data()),
                                  static_cast<uInt>(input.size())));
    CHECK(inflate_raw(joined.data, input.size()) == input);
    ZipWriter zip;
    REQUIRE(zip.add("joined.xml", joined).ok());
    auto bytes = zip.finish();
    REQUIRE(bytes.ok());
    const auto read = read_zip(*bytes);
    REQUIRE(read.size() == 1);
    CHECK(read[0].data == input);
}

TEST_CASE("a zip of deflated entries reads back: names, offsets, sizes, CRCs, contents") {
    const std::vector<std::pair<std::string, std::string>> files = {
        {"[Content_Types].xml", "<Types/>"},
        {"empty.txt", ""},
        {"xl/worksheets/sheet1.xml", sample(50000)},
        {"binary.bin", std::string("\0\1\2\xff\xfe", 5)}};
    ZipWriter zip;
    for (const auto& [name, data] : files) {
        auto deflated = deflate_all(data);
        REQUIRE(deflated.ok());
        REQUIRE(zip.add(name, *deflated).ok());
    }
    auto bytes = zip.finish();
    REQUIRE(bytes.ok());
    CHECK(bytes->substr(0, 4) == std::string("PK\3\4"));
    const auto read = read_zip(*bytes);
    REQUIRE(read.size() == files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        CHECK(read[i].name == files[i].first);
        CHECK(read[i].data == files[i].second);
    }
    CHECK_FALSE(zip.finish().ok());
    CHECK_FALSE(zip.add("late.txt", Deflated{}).ok());
}

TEST_CASE("zip limits without zip64 are errors, not corrupt archives") {
    SECTION("an entry of 4 GiB") {
        ZipWriter zip;
        Deflated huge;
        huge.size = std::uint64_t{1} << 32;
        const auto r = zip.add("huge.xml", huge);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "xlsx");
    }
    SECTION("more than 65535 entries") {
        ZipWriter zip;
        auto empty = deflate_all("");
        REQUIRE(empty.ok());
        for (int i = 0; i < 0xffff; ++i) {
            REQUIRE(zip.add("f" + std::to_string(i), *empty).ok());
        }
        const auto r = zip.add("one-too-many", *empty);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "xlsx");
        auto bytes = zip.finish();  // the 65535 that fit still make an archive
        REQUIRE(bytes.ok());
        CHECK(get16(*bytes, bytes->size() - 22 + 10) == 0xffff);
    }
}

// gzip with zlib; inflation stops at a caller-given cap (PROTOCOL.md §4: 16 MiB).

#include "pairing/gzip.h"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <stdexcept>

namespace tally::pairing {
namespace {

constexpr int kGzipWindow = 15 + 16;  // 32 KiB window, gzip header and trailer
constexpr std::size_t kChunk = 64 * 1024;

unsigned chunk_of(std::size_t remaining) {
    return static_cast<unsigned>(std::min<std::size_t>(remaining, UINT_MAX / 2));
}

}  // namespace

std::string gzip_compress(std::string_view data, int level) {
    z_stream zs{};
    if (deflateInit2(&zs, level, Z_DEFLATED, kGzipWindow, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        throw std::runtime_error("deflateInit2 failed");
    }
    std::string out;
    const auto* next = reinterpret_cast<const Bytef*>(data.data());
    std::size_t remaining = data.size();
    int rc = Z_OK;
    do {
        zs.next_in = const_cast<Bytef*>(next);
        zs.avail_in = chunk_of(remaining);
        const unsigned given = zs.avail_in;
        const int flush = given == remaining ? Z_FINISH : Z_NO_FLUSH;
        do {
            char buf[kChunk];
            zs.next_out = reinterpret_cast<Bytef*>(buf);
            zs.avail_out = sizeof buf;
            rc = deflate(&zs, flush);
            out.append(buf, sizeof buf - zs.avail_out);
        } while (zs.avail_out == 0);
        const unsigned used = given - zs.avail_in;
        next += used;
        remaining -= used;
    } while (rc != Z_STREAM_END);
    deflateEnd(&zs);
    return out;
}

Result<std::string> gzip_decompress(std::string_view data, std::size_t max_output) {
    z_stream zs{};
    if (inflateInit2(&zs, kGzipWindow) != Z_OK) {
        return make_error("bad_gzip", "inflateInit2 failed");
    }
    std::string out;
    const auto* next = reinterpret_cast<const Bytef*>(data.data());
    std::size_t remaining = data.size();
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
        zs.next_in = const_cast<Bytef*>(next);
        zs.avail_in = chunk_of(remaining);
        const unsigned given = zs.avail_in;
        char buf[kChunk];
        zs.next_out = reinterpret_cast<Bytef*>(buf);
        zs.avail_out = sizeof buf;
        rc = inflate(&zs, Z_NO_FLUSH);
        const std::size_t produced = sizeof buf - zs.avail_out;
        const unsigned used = given - zs.avail_in;
        next += used;
        remaining -= used;
        if (rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && remaining > 0)) {
            inflateEnd(&zs);
            return make_error("bad_gzip", rc == Z_BUF_ERROR ? "gzip stream is truncated"
                                                            : "body is not a valid gzip stream");
        }
        if (out.size() + produced > max_output) {
            inflateEnd(&zs);
            return make_error("too_large",
                              "inflated body exceeds " + std::to_string(max_output) + " bytes");
        }
        out.append(buf, produced);
        if (rc != Z_STREAM_END && produced == 0 && used == 0) {  // no progress: truncated
            inflateEnd(&zs);
            return make_error("bad_gzip", "gzip stream is truncated");
        }
    }
    inflateEnd(&zs);
    if (remaining != 0)
        return make_error("bad_gzip", "trailing bytes after the gzip stream");
    return out;
}

}  // namespace tally::pairing

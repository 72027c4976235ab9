// Raw deflate into a std::string (see deflate_stream.h).

#include "server/report/deflate_stream.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace tally::server {

struct DeflateStream::State {
    z_stream z{};
    bool initialised = false;
    bool finished = false;
    Deflated out;
    std::size_t used = 0;  // bytes of out.data holding output; the rest is spare room

    ~State() {
        if (initialised) {
            deflateEnd(&z);
        }
    }
};

Result<DeflateStream> DeflateStream::create() {
    auto state = std::make_unique<State>();
    // -15: a raw stream with a 32 KiB window, no zlib header or trailer (zip wants it so).
    if (deflateInit2(&state->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        return make_error("xlsx", "zlib could not start a deflate stream");
    }
    state->initialised = true;
    state->out.crc32 = static_cast<std::uint32_t>(::crc32(0L, Z_NULL, 0));
    return DeflateStream(std::move(state));
}

DeflateStream::DeflateStream(std::unique_ptr<State> state) : state_(std::move(state)) {}
DeflateStream::DeflateStream(DeflateStream&&) noexcept = default;
DeflateStream& DeflateStream::operator=(DeflateStream&&) noexcept = default;
DeflateStream::~DeflateStream() = default;

Result<void> DeflateStream::write(std::string_view data) {
    if (!state_ || state_->finished) {
        return make_error("xlsx", "write to a finished deflate stream");
    }
    auto& s = *state_;
    // zlib counts in uInt (32 bits): hand over at most 1 GiB at a time.
    constexpr std::size_t kMaxChunk = std::size_t{1} << 30;
    while (!data.empty()) {
        const auto chunk = data.substr(0, std::min(data.size(), kMaxChunk));
        s.out.crc32 = static_cast<std::uint32_t>(
            ::crc32(s.out.crc32, reinterpret_cast<const Bytef*>(chunk.data()),
                    static_cast<uInt>(chunk.size())));
        s.out.size += chunk.size();
        s.z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
        s.z.avail_in = static_cast<uInt>(chunk.size());
        if (auto r = run(Z_NO_FLUSH); !r) {
            return r;
        }
        data.remove_prefix(chunk.size());
    }
    return {};
}

Result<Deflated> DeflateStream::finish(bool last) {
    if (!state_ || state_->finished) {
        return make_error("xlsx", "deflate stream finished twice");
    }
    auto& s = *state_;
    s.z.next_in = nullptr;
    s.z.avail_in = 0;
    if (auto r = run(last ? Z_FINISH : Z_SYNC_FLUSH); !r) {
        return r.error();
    }
    s.finished = true;
    s.out.data.resize(s.used);
    return std::move(s.out);
}

// Deflates what is in next_in; with Z_FINISH, until the stream's end is written.
Result<void> DeflateStream::run(int flush) {
    auto& s = *state_;
    for (;;) {
        auto& buffer = s.out.data;
        if (buffer.size() - s.used < 16 * 1024) {
            buffer.resize(std::max<std::size_t>(64 * 1024, buffer.size() + buffer.size() / 2));
        }
        const auto room =
            std::min<std::size_t>(buffer.size() - s.used, std::numeric_limits<uInt>::max());
        s.z.next_out = reinterpret_cast<Bytef*>(buffer.data() + s.used);
        s.z.avail_out = static_cast<uInt>(room);
        const int rc = deflate(&s.z, flush);
        s.used += room - s.z.avail_out;
        if (rc == Z_STREAM_END) {
            return {};
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return make_error("xlsx", "zlib deflate failed (" + std::to_string(rc) + ")");
        }
        // Done when all input is taken and zlib had output room to spare (so nothing is
        // pending); Z_FINISH is done only at Z_STREAM_END.
        if (flush != Z_FINISH && s.z.avail_in == 0 && s.z.avail_out != 0) {
            return {};
        }
    }
}

Deflated join_deflated(std::vector<Deflated> parts) {
    Deflated out;
    if (parts.empty()) {
        return out;
    }
    out = std::move(parts.front());
    for (std::size_t i = 1; i < parts.size(); ++i) {
        out.data += parts[i].data;
        out.crc32 = static_cast<std::uint32_t>(
            ::crc32_combine(out.crc32, parts[i].crc32, static_cast<z_off_t>(parts[i].size)));
        out.size += parts[i].size;
    }
    return out;
}

Result<Deflated> deflate_all(std::string_view data) {
    auto stream = DeflateStream::create();
    if (!stream) {
        return stream.error();
    }
    if (auto r = stream->write(data); !r) {
        return r.error();
    }
    return stream->finish();
}

}  // namespace tally::server

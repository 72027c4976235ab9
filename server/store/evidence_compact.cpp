// Compact evidence bodies (see evidence_compact.h). Layout before zlib: "TC1", the 10-byte
// gzip header, the level, the batch JSON with each heartbeat literal replaced by \x01
// (length-prefixed), then per heartbeat a flag (1: `prev` dropped) and its bytes
// (length-prefixed) with the 64 hex digits of a dropped `prev` cut out.

#include "server/store/evidence_compact.h"

#include <zlib.h>

#include <nlohmann/json.hpp>

#include "pairing/batch.h"
#include "pairing/gzip.h"
#include "pairing/heartbeat.h"
#include "server/store/evidence_varint.h"

namespace tally::server::evidence {
namespace {

constexpr std::string_view kMagic = "TC1";
constexpr std::size_t kHeader = 10;
constexpr std::string_view kPrevKey = "\"prev\":\"";
constexpr std::size_t kHex = 64;
constexpr std::size_t kMaxRaw = 256u << 20;

//! Where the hex of a trailing `"prev":"<hex>"}` starts, or npos.
std::size_t prev_at(std::string_view hb) {
    if (hb.size() < kPrevKey.size() + kHex + 2 || !hb.ends_with("\"}")) {
        return std::string_view::npos;
    }
    const auto at = hb.size() - 2 - kHex;
    return hb.substr(at - kPrevKey.size(), kPrevKey.size()) == kPrevKey ? at
                                                                        : std::string_view::npos;
}

std::string literal(std::string_view bytes) {
    return nlohmann::json(std::string(bytes))
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

//! header + raw deflate of `text` at `level` + CRC-32 and size: a one-member gzip stream.
std::string gzip_with(std::string_view header, std::string_view text, int level) {
    z_stream zs{};
    if (deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return {};
    }
    std::string out(header);
    const auto bound = deflateBound(&zs, static_cast<uLong>(text.size()));
    std::string buf(bound, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    zs.avail_in = static_cast<uInt>(text.size());
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    const int rc = deflate(&zs, Z_FINISH);
    buf.resize(buf.size() - zs.avail_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        return {};
    }
    out += buf;
    const auto crc =
        crc32(0, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size()));
    const auto size = static_cast<std::uint32_t>(text.size());
    for (const auto v : {static_cast<std::uint32_t>(crc), size}) {
        for (int i = 0; i < 4; ++i) {
            out += static_cast<char>((v >> (8 * i)) & 0xff);
        }
    }
    return out;
}

//! The levels a sender may have used, most likely first (the header's XFL says 9 or 1).
std::vector<int> levels_for(std::string_view header) {
    const auto xfl = static_cast<unsigned char>(header[8]);
    if (xfl == 2) {
        return {9};
    }
    if (xfl == 4) {
        return {1};
    }
    return {6, 5, 7, 8, 4, 3, 2};
}

//! Where the first heartbeat's record (flag, length-prefixed bytes) starts in an inflated
//! compact form, or npos when it does not parse or holds no heartbeat.
std::size_t first_record(std::string_view raw) {
    std::string_view in(raw);
    if (!in.starts_with(kMagic) || in.size() < kMagic.size() + kHeader + 1) {
        return std::string_view::npos;
    }
    in.remove_prefix(kMagic.size() + kHeader + 1);
    std::string_view tmpl;
    std::uint64_t n = 0;
    if (!get_bytes(in, tmpl) || !get_varint(in, n) || n == 0 || in.empty()) {
        return std::string_view::npos;
    }
    return raw.size() - in.size();
}

//! `raw` with the first record replaced by `flag` and `hb`.
std::string with_first(std::string_view raw, std::size_t at, char flag, std::string_view hb) {
    std::string_view rest = raw.substr(at + 1);
    std::string_view old;
    get_bytes(rest, old);
    std::string out(raw.substr(0, at));
    out += flag;
    put_bytes(out, hb);
    out += rest;
    return out;
}

}  // namespace

std::optional<std::string> drop_first_prev(std::string_view raw, std::string_view prev_hex) {
    const auto at = first_record(raw);
    if (at == std::string_view::npos || raw[at] != '\x00' || prev_hex.size() != kHex) {
        return std::nullopt;
    }
    std::string_view rest = raw.substr(at + 1);
    std::string_view hb;
    if (!get_bytes(rest, hb)) {
        return std::nullopt;
    }
    const auto p = prev_at(hb);
    if (p == std::string_view::npos || hb.substr(p, kHex) != prev_hex) {
        return std::nullopt;
    }
    return with_first(raw, at, '\x02',
                      std::string(hb.substr(0, p)) + std::string(hb.substr(p + kHex)));
}

Result<std::string> restore_first_prev(std::string_view raw, std::string_view prev_hex) {
    const auto at = first_record(raw);
    if (at == std::string_view::npos || raw[at] != '\x02') {
        return std::string(raw);
    }
    std::string_view rest = raw.substr(at + 1);
    std::string_view hb;
    if (!get_bytes(rest, hb) || hb.size() < 2 || prev_hex.empty()) {
        return make_error("bad_evidence",
                          "compact body: its first prev follows from no batch before it");
    }
    std::string whole(hb);
    whole.insert(whole.size() - 2, prev_hex);
    return with_first(raw, at, '\x00', whole);
}

std::optional<std::string> compact(std::string_view body) {
    // One member with no optional header fields (FLG 0): the header is 10 bytes.
    if (body.size() < kHeader + 8 || body[0] != '\x1f' || body[1] != '\x8b' || body[3] != 0) {
        return std::nullopt;
    }
    auto text = pairing::gzip_decompress(body, kMaxRaw);
    if (!text) {
        return std::nullopt;
    }
    auto batch = pairing::decode_batch(*text);
    if (!batch || text->find('\x01') != std::string::npos) {
        return std::nullopt;
    }
    std::string tmpl;
    std::string hbs;
    std::size_t cursor = 0;
    for (std::size_t i = 0; i < batch->heartbeats.size(); ++i) {
        const auto& hb = batch->heartbeats[i];
        const auto lit = literal(hb);
        const auto pos = text->find(lit, cursor);
        if (pos == std::string::npos) {
            return std::nullopt;
        }
        tmpl.append(*text, cursor, pos - cursor);
        tmpl += '\x01';
        cursor = pos + lit.size();
        const auto at = prev_at(hb);
        const bool chained =
            i > 0 && at != std::string_view::npos &&
            hb.compare(at, kHex, pairing::chain_hash(batch->heartbeats[i - 1])) == 0;
        hbs += chained ? '\x01' : '\x00';
        put_bytes(hbs, chained ? hb.substr(0, at) + hb.substr(at + kHex) : hb);
    }
    tmpl.append(*text, cursor);
    const auto header = body.substr(0, kHeader);
    for (const int level : levels_for(header)) {
        if (gzip_with(header, *text, level) != body) {
            continue;
        }
        std::string raw(kMagic);
        raw += header;
        raw += static_cast<char>(level);
        put_bytes(raw, tmpl);
        put_varint(raw, batch->heartbeats.size());
        raw += hbs;
        auto out = pairing::gzip_compress(raw, 9);
        if (out.size() >= body.size()) {
            return std::nullopt;  // nothing gained
        }
        // Belt and braces: the stored form must give back the exact body.
        auto back = rebuild(out, true);
        if (!back || back->body != body) {
            return std::nullopt;
        }
        return out;
    }
    return std::nullopt;
}

Result<std::string> inflate(std::string_view compact_body) {
    auto raw = pairing::gzip_decompress(compact_body, kMaxRaw);
    if (!raw) {
        return make_error("bad_evidence", "compact body: does not inflate: " + raw.error().message);
    }
    return std::move(*raw);
}

Result<Rebuilt> rebuild(std::string_view compact_body, bool with_body) {
    auto raw = inflate(compact_body);
    if (!raw) {
        return raw.error();
    }
    return rebuild_raw(*raw, with_body);
}

Result<Rebuilt> rebuild_raw(std::string_view raw, bool with_body) {
    const auto bad = [](const std::string& what) {
        return make_error("bad_evidence", "compact body: " + what);
    };
    std::string_view in(raw);
    if (!in.starts_with(kMagic) || in.size() < kMagic.size() + kHeader + 1) {
        return bad("unknown format");
    }
    in.remove_prefix(kMagic.size());
    const auto header = in.substr(0, kHeader);
    in.remove_prefix(kHeader);
    const int level = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    std::string_view tmpl;
    std::uint64_t n = 0;
    if (!get_bytes(in, tmpl) || !get_varint(in, n) || n > in.size()) {
        return bad("truncated");
    }
    Rebuilt out;
    std::string text;
    std::size_t cursor = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::string_view part;
        if (in.empty()) {
            return bad("truncated");
        }
        if (static_cast<unsigned char>(in.front()) > 1) {
            return bad("a prev cut in a pack and not put back");
        }
        const bool chained = in.front() == '\x01';
        in.remove_prefix(1);
        const auto slot = tmpl.find('\x01', cursor);
        if (!get_bytes(in, part) || slot == std::string_view::npos || (chained && i == 0)) {
            return bad("truncated");
        }
        std::string hb(part);
        if (chained) {
            if (hb.size() < 2) {
                return bad("malformed heartbeat");
            }
            hb.insert(hb.size() - 2, pairing::chain_hash(out.heartbeats.back()));
        }
        text.append(tmpl.substr(cursor, slot - cursor));
        text += literal(hb);
        cursor = slot + 1;
        out.heartbeats.push_back(std::move(hb));
    }
    text.append(tmpl.substr(cursor));
    if (with_body) {
        out.body = gzip_with(header, text, level);
    }
    return out;
}

}  // namespace tally::server::evidence

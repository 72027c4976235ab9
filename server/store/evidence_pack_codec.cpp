// Evidence packs' encoding (see evidence_pack_codec.h). The stream before zlib: "TP1", the
// number of batches, then per batch its id, kind, counted ranges (length-prefixed), first and
// last seq, first and last start, receive time (each a zigzag delta from the batch before, so
// a device-day's mostly take a byte or two), its signature's length and its body
// (length-prefixed). A compact body is held inflated, and its first heartbeat's `prev` is cut
// (flag 2, evidence_compact.h drop_first_prev) when it is the chain hash of the last heartbeat
// of the compact batch before it in the pack: decoding puts it back, batch by batch, so every
// batch comes out whole. The signatures themselves follow one another in `signatures`.

#include "server/store/evidence_pack_codec.h"

#include <optional>
#include <utility>

#include "pairing/gzip.h"
#include "pairing/heartbeat.h"
#include "server/store/evidence_compact.h"
#include "server/store/evidence_varint.h"

namespace tally::server::evidence {
namespace {

constexpr std::string_view kMagic = "TP1";
// A pack is a device-day of batches (evidence_purge.cpp bounds it); far above any.
constexpr std::size_t kMaxRaw = 512u << 20;

struct Numbers {
    std::int64_t first_seq = 0;
    std::int64_t last_seq = 0;
    std::int64_t first_start = 0;
    std::int64_t last_start = 0;
    std::int64_t received_at = 0;
};

Numbers numbers_of(const PackedBatch& b) {
    return {b.first_seq, b.last_seq, b.first_start, b.last_start, b.received_at};
}

void put_numbers(std::string& out, const Numbers& n, const Numbers& before) {
    put_signed(out, n.first_seq - before.last_seq);
    put_signed(out, n.last_seq - n.first_seq);
    put_signed(out, n.first_start - before.last_start);
    put_signed(out, n.last_start - n.first_start);
    put_signed(out, n.received_at - before.received_at);
}

bool get_numbers(std::string_view& in, Numbers& n, const Numbers& before) {
    std::int64_t d[5] = {};
    for (auto& v : d) {
        if (!get_signed(in, v)) {
            return false;
        }
    }
    n.first_seq = before.last_seq + d[0];
    n.last_seq = n.first_seq + d[1];
    n.first_start = before.last_start + d[2];
    n.last_start = n.first_start + d[3];
    n.received_at = before.received_at + d[4];
    return true;
}

//! The chain hash of the last heartbeat of inflated compact form `raw`, or "" when it has
//! none or does not parse.
std::string last_hash(std::string_view raw) {
    auto rebuilt = rebuild_raw(raw, false);
    return rebuilt && !rebuilt->heartbeats.empty() ? pairing::chain_hash(rebuilt->heartbeats.back())
                                                   : std::string();
}

//! What the pack holds of `b`'s body, and under which kind: a compact body inflated, its
//! first `prev` cut when it follows from the batch before (`before`: that batch's last
//! heartbeat's chain hash, "" unless it was compact too), which becomes `b`'s.
std::pair<Kind, std::string> stored_form(const PackedBatch& b, std::string& before) {
    const auto previous = std::exchange(before, std::string());
    std::optional<std::string> raw;
    if (b.kind == Kind::compact) {
        if (auto inflated = inflate(b.body)) {
            raw = std::move(*inflated);
        }
    } else if (b.kind == Kind::compact_raw) {
        raw = b.body;
    }
    if (!raw) {
        return {b.kind, b.body};
    }
    before = last_hash(*raw);
    auto cut = previous.empty() ? std::nullopt : drop_first_prev(*raw, previous);
    return {Kind::compact_raw, cut ? std::move(*cut) : std::move(*raw)};
}

}  // namespace

EncodedPack encode_pack(const std::vector<PackedBatch>& batches) {
    EncodedPack out;
    std::string raw(kMagic);
    put_varint(raw, batches.size());
    Numbers before;
    std::string chain;  // the chain hash the next batch's first prev may follow from
    for (const auto& b : batches) {
        const auto [kind, body] = stored_form(b, chain);
        put_signed(raw, b.id);
        put_varint(raw, static_cast<std::uint64_t>(kind));
        put_bytes(raw, b.counted);
        put_numbers(raw, numbers_of(b), before);
        before = numbers_of(b);
        put_varint(raw, b.signature.size());
        put_bytes(raw, body);
        out.signatures += b.signature;
    }
    out.body = pairing::gzip_compress(raw, 9);
    return out;
}

Result<std::vector<PackedBatch>> decode_pack(std::string_view body, std::string_view signatures) {
    const auto bad = [](const std::string& what) {
        return make_error("bad_evidence", "evidence pack: " + what);
    };
    auto raw = pairing::gzip_decompress(body, kMaxRaw);
    if (!raw) {
        return bad("does not inflate: " + raw.error().message);
    }
    std::string_view in(*raw);
    std::uint64_t n = 0;
    if (!in.starts_with(kMagic)) {
        return bad("unknown format");
    }
    in.remove_prefix(kMagic.size());
    if (!get_varint(in, n) || n > in.size()) {
        return bad("truncated");
    }
    std::vector<PackedBatch> out;
    Numbers before;
    std::string chain;  // the chain hash a cut first prev follows from
    for (std::uint64_t i = 0; i < n; ++i) {
        PackedBatch b;
        std::uint64_t kind = 0;
        std::uint64_t sig = 0;
        std::string_view counted;
        std::string_view stored;
        Numbers num;
        if (!get_signed(in, b.id) || !get_varint(in, kind) || kind > 4 || !get_bytes(in, counted) ||
            !get_numbers(in, num, before) || !get_varint(in, sig) || !get_bytes(in, stored) ||
            sig > signatures.size()) {
            return bad("truncated at batch " + std::to_string(i + 1) + " of " + std::to_string(n));
        }
        before = num;
        const auto previous = std::exchange(chain, std::string());
        if (kind == static_cast<std::uint64_t>(Kind::compact_raw)) {
            auto whole = restore_first_prev(stored, previous);
            if (!whole) {
                return bad("batch " + std::to_string(b.id) + ": " + whole.error().message);
            }
            chain = last_hash(*whole);
            b.body = std::move(*whole);
        } else {
            b.body = stored;
        }
        b.kind = static_cast<Kind>(kind);
        b.counted = counted;
        b.first_seq = num.first_seq;
        b.last_seq = num.last_seq;
        b.first_start = num.first_start;
        b.last_start = num.last_start;
        b.received_at = num.received_at;
        b.signature = signatures.substr(0, sig);
        signatures.remove_prefix(sig);
        out.push_back(std::move(b));
    }
    if (!in.empty() || !signatures.empty()) {
        return bad("bytes left over after its " + std::to_string(n) + " batches");
    }
    return out;
}

}  // namespace tally::server::evidence

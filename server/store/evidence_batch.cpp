// Evidence batches' pieces (see evidence_batch.h).

#include "server/store/evidence_batch.h"

#include <charconv>

#include "pairing/batch.h"
#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/gzip.h"
#include "server/store/evidence_compact.h"

namespace tally::server::evidence {
namespace {

// Larger than the upload cap (16 MiB): evidence stored by any version stays readable.
constexpr std::size_t kMaxInflated = 256u << 20;

Error bad(const std::string& what) {
    return Error{"bad_evidence", what};
}

}  // namespace

std::string encode_ranges(const std::vector<std::uint64_t>& seqs) {
    std::string out;
    for (std::size_t i = 0; i < seqs.size();) {
        std::size_t j = i;
        while (j + 1 < seqs.size() && seqs[j + 1] == seqs[j] + 1) {
            ++j;
        }
        if (!out.empty()) {
            out += ',';
        }
        out += std::to_string(seqs[i]) + "-" + std::to_string(seqs[j]);
        i = j + 1;
    }
    return out;
}

Result<SeqRanges> decode_ranges(std::string_view text) {
    SeqRanges out;
    const char* p = text.data();
    const char* end = text.data() + text.size();
    while (p < end) {
        std::uint64_t a = 0;
        std::uint64_t b = 0;
        auto r1 = std::from_chars(p, end, a);
        if (r1.ec != std::errc() || r1.ptr == end || *r1.ptr != '-') {
            return bad("counted seq ranges '" + std::string(text) + "' are malformed");
        }
        auto r2 = std::from_chars(r1.ptr + 1, end, b);
        if (r2.ec != std::errc() || b < a || (!out.empty() && a <= out.back().second)) {
            return bad("counted seq ranges '" + std::string(text) + "' are malformed");
        }
        out.emplace_back(a, b);
        p = r2.ptr;
        if (p < end && *p++ != ',') {
            return bad("counted seq ranges '" + std::string(text) + "' are malformed");
        }
    }
    return out;
}

bool in_ranges(const SeqRanges& ranges, std::uint64_t seq) {
    for (const auto& [a, b] : ranges) {
        if (seq >= a && seq <= b) {
            return true;
        }
    }
    return false;
}

std::size_t index_in_ranges(const SeqRanges& ranges, std::uint64_t seq) {
    std::size_t index = 0;
    for (const auto& [a, b] : ranges) {
        if (seq <= b) {
            return index + static_cast<std::size_t>(seq - a);
        }
        index += static_cast<std::size_t>(b - a + 1);
    }
    return index;
}

std::string short_hash(std::string_view heartbeat_bytes) {
    const auto digest = pairing::sha256(heartbeat_bytes);
    return std::string(reinterpret_cast<const char*>(digest.data()), kShortHash);
}

bool prev_matches(std::string_view prev_hex, std::string_view hash) {
    const auto prefix =
        pairing::hex_encode({reinterpret_cast<const std::uint8_t*>(hash.data()), hash.size()});
    return prev_hex.substr(0, prefix.size()) == prefix;
}

std::string encode_texts(const std::vector<std::string_view>& heartbeats) {
    std::string joined;
    for (const auto hb : heartbeats) {
        if (!joined.empty()) {
            joined += '\n';
        }
        joined += hb;
    }
    return pairing::gzip_compress(joined, 9);
}

Result<std::vector<std::string>> heartbeats_of(Kind kind, std::string_view body) {
    if (kind == Kind::compact || kind == Kind::compact_raw) {
        auto rebuilt = kind == Kind::compact ? rebuild(body, false) : rebuild_raw(body, false);
        if (!rebuilt) {
            return rebuilt.error();
        }
        return std::move(rebuilt->heartbeats);
    }
    auto inflated = pairing::gzip_decompress(body, kMaxInflated);
    if (!inflated) {
        return bad("stored body does not inflate: " + inflated.error().message);
    }
    if (kind == Kind::signed_body) {
        auto batch = pairing::decode_batch(*inflated);
        if (!batch) {
            return bad("stored body is not a batch: " + batch.error().message);
        }
        return std::move(batch->heartbeats);
    }
    std::vector<std::string> out;
    std::size_t from = 0;
    while (from <= inflated->size() && !inflated->empty()) {
        const auto nl = inflated->find('\n', from);
        const auto to = nl == std::string::npos ? inflated->size() : nl;
        out.push_back(inflated->substr(from, to - from));
        from = to + 1;
    }
    return out;
}

}  // namespace tally::server::evidence

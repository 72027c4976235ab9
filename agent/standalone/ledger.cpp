// Reading the spool as a ledger (see ledger.h).

#include "agent/standalone/ledger.h"

#include <algorithm>

#include "agent/spool/file_bytes.h"
#include "agent/spool/record.h"
#include "agent/spool/segment_name.h"

namespace tally::agent::standalone {

Result<Ledger> read_ledger(const std::filesystem::path& state_dir) {
    Ledger out;
    const auto dir = state_dir / "spool";
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec))
        return out;
    std::vector<std::pair<std::uint64_t, std::filesystem::path>> segments;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (auto seq = spool::parse_segment_name(entry.path().filename().string()))
            segments.emplace_back(*seq, entry.path());
    }
    if (ec)
        return make_error("io", "cannot list " + dir.string() + ": " + ec.message());
    std::sort(segments.begin(), segments.end());
    for (const auto& [name_seq, path] : segments) {
        auto data = spool::read_file_bytes(path);
        if (!data)
            return data.error();
        for (auto& r : spool::parse_records(*data).records) {
            if (r.type == spool::RecordType::gap) {
                out.gaps.push_back(r.gap());
                continue;
            }
            auto hb = pairing::decode_heartbeat(r.payload);
            if (!hb) {
                return make_error("spool", path.filename().string() + ": heartbeat " +
                                               std::to_string(r.seq) +
                                               " does not decode: " + hb.error().message);
            }
            out.heartbeats.push_back({std::move(r.payload), std::move(*hb)});
        }
    }
    std::stable_sort(out.heartbeats.begin(), out.heartbeats.end(),
                     [](const auto& a, const auto& b) { return a.decoded.seq < b.decoded.seq; });
    out.heartbeats.erase(
        std::unique(out.heartbeats.begin(), out.heartbeats.end(),
                    [](const auto& a, const auto& b) { return a.decoded.seq == b.decoded.seq; }),
        out.heartbeats.end());
    return out;
}

namespace {

//! Declares seqs [from, to] using the spool's gaps where they say why, else "not_in_spool".
void cover(std::uint64_t from, std::uint64_t to, const std::vector<pairing::Gap>& spool_gaps,
           std::vector<pairing::Gap>& out) {
    std::uint64_t at = from;
    for (const auto& g : spool_gaps) {  // sorted by from_seq
        if (g.to_seq < at || g.from_seq > to)
            continue;
        if (g.from_seq > at)
            out.push_back({at, g.from_seq - 1, "not_in_spool"});
        std::uint64_t end = std::min(g.to_seq, to);
        out.push_back({std::max(at, g.from_seq), end, g.reason});
        at = end + 1;
        if (at > to)
            return;
    }
    if (at <= to)
        out.push_back({at, to, "not_in_spool"});
}

}  // namespace

Ledger select_range(const Ledger& ledger, std::int64_t from, std::int64_t to) {
    Ledger out;
    for (const auto& hb : ledger.heartbeats) {
        if (hb.decoded.start >= from && hb.decoded.start < to)
            out.heartbeats.push_back(hb);
    }
    std::vector<pairing::Gap> gaps = ledger.gaps;
    std::sort(gaps.begin(), gaps.end(),
              [](const auto& a, const auto& b) { return a.from_seq < b.from_seq; });
    for (std::size_t i = 1; i < out.heartbeats.size(); ++i) {
        std::uint64_t a = out.heartbeats[i - 1].decoded.seq;
        std::uint64_t b = out.heartbeats[i].decoded.seq;
        if (b > a + 1)
            cover(a + 1, b - 1, gaps, out.gaps);
    }
    return out;
}

}  // namespace tally::agent::standalone

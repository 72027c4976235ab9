// Spool acknowledgements: ack, adopting a server's progress at pairing, a server that forgot
// what it acknowledged, and the invariants checked before anything is deleted.

#include <algorithm>

#include "agent/log.h"
#include "agent/spool/acked_file.h"
#include "agent/spool/spool.h"

namespace tally::agent::spool {
namespace {

// The seqs of [from, to] that no interval of `covered` (sorted by start) covers.
std::vector<pairing::Gap> uncovered(std::uint64_t from, std::uint64_t to,
                                    std::vector<std::pair<std::uint64_t, std::uint64_t>> covered,
                                    const std::string& reason) {
    std::sort(covered.begin(), covered.end());
    std::vector<pairing::Gap> out;
    std::uint64_t next = from;
    for (const auto& [a, b] : covered) {
        if (next > to)
            break;
        if (b < next)
            continue;
        if (a > next)
            out.push_back({next, std::min(to, a - 1), reason});
        next = std::max(next, b + 1);
    }
    if (next <= to)
        out.push_back({next, to, reason});
    return out;
}

}  // namespace

std::uint64_t Spool::last_record_seq() const {
    std::uint64_t last = acked_;
    for (const auto& seg : segments_) {
        last = std::max(last, seg.max_seq);
        // A segment is named after the seq that was next when it was created.
        if (seg.name_seq > 0)
            last = std::max(last, seg.name_seq - 1);
    }
    return last;
}

Result<void> Spool::check_invariants() const {
    const std::uint64_t last = last_record_seq();
    if (next_seq_ != last + 1) {
        return make_error("spool_invariant",
                          "the spool in " + dir_.string() + " is inconsistent: its next seq " +
                              std::to_string(next_seq_) + " is not one more than its last record " +
                              std::to_string(last));
    }
    return {};
}

Result<void> Spool::ack(std::uint64_t acked_through) {
    if (acked_through <= acked_)
        return {};
    if (acked_through > last_seq()) {
        return make_error("spool_invariant",
                          "an acknowledgement through seq " + std::to_string(acked_through) +
                              " is past the spool's last record " + std::to_string(last_seq()) +
                              ": refused, nothing deleted");
    }
    if (auto r = check_invariants(); !r)
        return r;
    AckedState state;
    state.acked_through = acked_through;
    // The chain hash is needed only when every record is gone, i.e. when the newest
    // heartbeat is acknowledged.
    if (acked_through >= last_hb_seq_)
        state.chain_hash = last_hash_;
    if (auto r = write_acked(fs_, dir_ / "acked", state); !r)
        return r;
    acked_ = acked_through;
    return delete_acked_segments();
}

Result<void> Spool::adopt_server_ack(std::uint64_t server_acked) {
    if (server_acked <= last_seq())
        return ack(server_acked);
    // The server holds seqs this spool never had: every record here is at or below them.
    // Segments go first, then the counter, so a crash between never leaves the acked file
    // past the records the spool still holds.
    acked_ = server_acked;
    next_seq_ = server_acked + 1;
    if (auto r = delete_acked_segments(); !r)
        return r;
    return write_acked(fs_, dir_ / "acked", {server_acked, last_hash_});
}

Result<pairing::Gap> Spool::server_forgot(std::uint64_t server_ack) {
    pairing::Gap declared{0, 0, "server_lost"};
    if (server_ack >= acked_)
        return declared;
    // What the spool still holds is sent again; the rest of server_ack+1..acked is declared.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> held;
    for (const auto& seg : segments_) {
        if (seg.hb_count > 0)
            held.emplace_back(seg.hb_min, seg.hb_max);
        for (const auto& g : seg.gaps)
            held.emplace_back(g.from_seq, g.to_seq);
    }
    const std::uint64_t before = gaps_declared_;
    std::uint64_t lost = 0;
    // The gap records go first: a crash before the counter is lowered finds them held above.
    for (const auto& g : uncovered(server_ack + 1, acked_, held, "server_lost")) {
        if (auto r = declare_gap(g); !r)
            return r.error();
        lost += g.to_seq - g.from_seq + 1;
        declared.from_seq = declared.from_seq == 0 ? g.from_seq : declared.from_seq;
        declared.to_seq = g.to_seq;
    }
    gaps_declared_ = before + lost;
    if (auto r = write_acked(fs_, dir_ / "acked", {server_ack, last_hash_}); !r)
        return r.error();
    acked_ = server_ack;
    return declared;
}

Result<void> Spool::delete_acked_segments() {
    if (auto r = check_invariants(); !r)
        return r;
    bool removed = false;
    for (auto it = segments_.begin(); it != segments_.end();) {
        if (it->max_seq > acked_ || (it->max_seq == 0 && it->size > 0)) {
            ++it;
            continue;
        }
        if (std::next(it) == segments_.end())
            active_.reset();
        std::error_code ec;
        std::filesystem::remove(it->path, ec);
        if (ec)
            return make_error("io", "cannot remove " + it->path.string() + ": " + ec.message());
        bytes_ -= it->size;
        it = segments_.erase(it);
        removed = true;
    }
    if (removed)
        return fs_.sync_directory(dir_);
    return {};
}

}  // namespace tally::agent::spool

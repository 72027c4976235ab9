// verify-evidence's store-neutral checks (see evidence_walk.h).

#include "server/store/evidence_walk.h"

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "server/store/evidence_compact.h"

namespace tally::server::detail {

Result<void> EvidenceWalk::batch(const EvidenceRow& row,
                                 const std::vector<CountedHeartbeat>& counted,
                                 const std::string& problem) {
    if (row.device_id != device_) {
        device_ = row.device_id;
        previous_.reset();
        auto key = lookup_.public_key(row.device_id);
        if (!key) {
            return key.error();
        }
        key_ = std::move(*key);
    }
    bool in_month = !problem.empty();  // a body that does not decode is reported
    for (const auto& c : counted) {
        in_month = in_month || month_of(c.bytes) == month_;
    }
    if (!in_month) {
        remember(counted);
        return {};
    }
    ++out_.batches;
    check_signature(row);
    if (!problem.empty()) {
        out_.problems.push_back({row.device_id, 0, problem});
        previous_.reset();
        return {};
    }
    for (const auto& c : counted) {
        if (auto r = heartbeat(row, c); !r) {
            return r;
        }
    }
    return {};
}

std::int64_t EvidenceWalk::month_of(std::string_view bytes) const {
    auto d = pairing::decode_heartbeat(bytes);
    return d ? clock_.month_day(d->start).first : 0;
}

void EvidenceWalk::remember(const std::vector<CountedHeartbeat>& counted) {
    if (!counted.empty()) {
        previous_.emplace(counted.back().seq, std::string(counted.back().bytes));
    }
}

void EvidenceWalk::check_signature(const EvidenceRow& row) {
    std::string rebuilt;
    const bool compact =
        row.kind == evidence::Kind::compact || row.kind == evidence::Kind::compact_raw;
    if (compact) {
        // The exact signed bytes, re-deflated from the compact form (as stored, or as an
        // evidence pack holds it).
        auto r = row.kind == evidence::Kind::compact ? evidence::rebuild(row.body, true)
                                                     : evidence::rebuild_raw(row.body, true);
        rebuilt = r ? std::move(r->body) : std::string();
    } else if (row.kind != evidence::Kind::signed_body) {
        ++out_.unsigned_batches;
        return;
    }
    const auto& body = compact ? rebuilt : row.body;
    if (pairing::verify_signature(pairing::as_bytes(key_), pairing::as_bytes(body),
                                  pairing::as_bytes(row.signature))) {
        ++out_.signatures_ok;
        return;
    }
    const auto where = row.pack_id == 0 ? std::string()
                                        : " (in evidence pack " + std::to_string(row.pack_id) + ")";
    out_.problems.push_back({row.device_id, 0,
                             "evidence batch " + std::to_string(row.id) + where +
                                 ": the stored body does not verify with the device's "
                                 "registered key (altered after it was stored)"});
}

Result<void> EvidenceWalk::heartbeat(const EvidenceRow& row, const CountedHeartbeat& c) {
    auto d = pairing::decode_heartbeat(c.bytes);
    std::optional<std::pair<std::uint64_t, std::string>> before;
    before.swap(previous_);
    previous_.emplace(c.seq, std::string(c.bytes));
    if (!d || clock_.month_day(d->start).first != month_) {
        return {};
    }
    ++out_.heartbeats;
    ++out_.decoded_ok;
    if (row.kind == evidence::Kind::redacted) {
        ++out_.redacted;
        return {};
    }
    return link(c.seq, d->prev, before);
}

Result<void> EvidenceWalk::link(
    std::uint64_t seq, const std::string& prev,
    const std::optional<std::pair<std::uint64_t, std::string>>& walked) {
    std::optional<std::string> before;
    if (seq > 1 && walked && walked->first == seq - 1) {
        before = walked->second;
    } else if (seq > 1) {
        auto stored = lookup_.stored_bytes(device_, seq - 1);
        if (!stored) {
            return stored.error();
        }
        before = std::move(*stored);
    }
    if (seq > 1 && !before) {
        return {};  // the seq before is not stored (a declared gap)
    }
    ++out_.links_checked;
    const auto expected =
        seq == 1 ? std::string(pairing::kGenesisPrev) : pairing::chain_hash(*before);
    if (prev == expected) {
        return {};
    }
    auto recorded = lookup_.break_recorded(device_, seq);
    if (!recorded) {
        return recorded.error();
    }
    if (*recorded) {
        ++out_.recorded_breaks;
    } else {
        out_.problems.push_back({device_, seq,
                                 "prev does not match the heartbeat before it, "
                                 "and no chain break was recorded on arrival"});
    }
    return {};
}

RollupHeartbeat rollup_heartbeat(const std::string& device_id, std::int64_t received_at,
                                 const pairing::Heartbeat& hb) {
    RollupHeartbeat out{
        device_id, hb.start, hb.end, received_at, std::int64_t{hb.device_active_minutes}, {}};
    for (const auto& u : hb.users) {
        out.users.push_back({u.principal, u.local, std::int64_t{u.active_minutes}});
    }
    return out;
}

void compare_rollups(const Rollups& expected, const Rollups& stored, EvidenceCheck& out) {
    out.rollup_rows = static_cast<std::int64_t>(
        stored.device_months.size() + stored.user_months.size() + stored.device_days.size());
    out.rollup_differences = diff_rollups(expected, stored);
}

}  // namespace tally::server::detail

// Schema 9 → 10: heartbeats into evidence batches (see evidence_migration.h).

#include "server/store/evidence_migration.h"

#include <algorithm>
#include <string>
#include <vector>

#include "pairing/bytes.h"
#include "pairing/heartbeat.h"
#include "server/store/evidence_rows.h"

namespace tally::server::detail {
namespace {

constexpr std::size_t kMaxRun = 500;

struct OldHeartbeat {
    std::uint64_t seq = 0;
    std::string bytes;
    std::int64_t start = 0;
    std::int64_t received_at = 0;
    bool redacted = false;
    std::string hash;  //!< short hash of the device's original bytes
};

struct Run {
    std::string device_id;
    std::vector<OldHeartbeat> hbs;
};

//! A redacted heartbeat re-encoded from its stored numbers and users (surrogates by then).
Result<std::string> reencode(SqliteDb& db, const std::string& device_id, std::uint64_t seq) {
    auto h = db.prepare(
        "SELECT start_ts, end_ts, device_active_minutes FROM heartbeats"
        " WHERE device_id = ? AND seq = ?");
    auto u = db.prepare(
        "SELECT principal, local, kind, active_minutes FROM heartbeat_users"
        " WHERE device_id = ? AND seq = ? ORDER BY principal, local");
    if (!h) {
        return h.error();
    }
    if (!u) {
        return u.error();
    }
    pairing::Heartbeat hb;
    hb.seq = seq;
    hb.prev = pairing::kGenesisPrev;
    if (auto r = h->bind(1, device_id)
                     .bind(2, static_cast<std::int64_t>(seq))
                     .each_row([&](const SqliteStatement& row) {
                         hb.start = row.int64(0);
                         hb.end = row.int64(1);
                         hb.device_active_minutes = static_cast<std::uint32_t>(row.int64(2));
                     });
        !r) {
        return r.error();
    }
    if (auto r = u->bind(1, device_id)
                     .bind(2, static_cast<std::int64_t>(seq))
                     .each_row([&](const SqliteStatement& row) {
                         hb.users.push_back({row.text(0), row.int64(1) != 0, row.text(2),
                                             static_cast<std::uint32_t>(row.int64(3))});
                     });
        !r) {
        return r.error();
    }
    return pairing::encode_heartbeat(hb);
}

Result<void> write_run(SqliteDb& db, const Run& run) {
    if (run.hbs.empty()) {
        return {};
    }
    NewEvidence e;
    e.kind = run.hbs.front().redacted ? evidence::Kind::redacted : evidence::Kind::texts;
    std::vector<std::string_view> texts;
    e.first_start = run.hbs.front().start;
    e.last_start = e.first_start;
    for (const auto& hb : run.hbs) {
        e.seqs.push_back(hb.seq);
        e.hashes += hb.hash;
        e.first_start = std::min(e.first_start, hb.start);
        e.last_start = std::max(e.last_start, hb.start);
        texts.push_back(hb.bytes);
    }
    const auto body = evidence::encode_texts(texts);
    e.body = body;
    return insert_evidence(db, run.device_id, e, run.hbs.front().received_at);
}

//! The short hash of the original bytes: of the bytes, or the start of the hash a redaction
//! kept ("redacted-sha256:<hex>").
std::string original_hash(const std::string& bytes) {
    constexpr std::string_view kPrefix = "redacted-sha256:";
    if (bytes.starts_with(kPrefix)) {
        const auto raw = pairing::hex_decode(
            std::string_view(bytes).substr(kPrefix.size(), 2 * evidence::kShortHash));
        return raw ? std::string(pairing::as_chars(*raw)) : std::string(evidence::kShortHash, '\0');
    }
    return evidence::short_hash(bytes);
}

}  // namespace

Result<void> migrate_heartbeats_to_evidence(SqliteDb& db) {
    auto s = db.prepare(
        "SELECT device_id, seq, bytes, start_ts, received_at FROM heartbeats"
        " ORDER BY device_id, seq");
    if (!s) {
        return s.error();
    }
    Run run;
    for (;;) {
        auto row = s->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            break;
        }
        OldHeartbeat hb{static_cast<std::uint64_t>(s->int64(1)),
                        s->text(2),
                        s->int64(3),
                        s->int64(4),
                        false,
                        {}};
        hb.hash = original_hash(hb.bytes);
        hb.redacted = hb.bytes.starts_with("redacted-");
        if (hb.redacted) {
            auto bytes = reencode(db, s->text(0), hb.seq);
            if (!bytes) {
                return bytes.error();
            }
            hb.bytes = std::move(*bytes);
        }
        const bool joins = !run.hbs.empty() && run.device_id == s->text(0) &&
                           run.hbs.back().seq + 1 == hb.seq &&
                           run.hbs.back().received_at == hb.received_at &&
                           run.hbs.back().redacted == hb.redacted && run.hbs.size() < kMaxRun;
        if (!joins) {
            if (auto r = write_run(db, run); !r) {
                return r;
            }
            run = Run{s->text(0), {}};
        }
        run.hbs.push_back(std::move(hb));
    }
    if (auto r = write_run(db, run); !r) {
        return r;
    }
    return db.exec("DROP TABLE heartbeat_users; DROP TABLE heartbeats;");
}

}  // namespace tally::server::detail

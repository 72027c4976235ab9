// Evidence bodies and partitions (see pg_evidence.h).

#include "server/store/postgres/pg_evidence.h"

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "pairing/time_format.h"
#include "server/store/evidence_batch.h"
#include "server/store/postgres/pg_transaction.h"

namespace tally::server {
namespace {

constexpr std::string_view kRedacted = "redacted-sha256:";

// Any constant shared by every Tally server: serialises partition creation.
constexpr const char* kPartitionLock = "SELECT pg_advisory_xact_lock(499850112122)";

}  // namespace

std::int64_t pg_utc_month(std::int64_t t) {
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    const auto day = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    pairing::civil_from_days(day, y, m, d);
    return std::int64_t{y} * 100 + m;
}

std::int64_t pg_next_month(std::int64_t month) {
    return month % 100 == 12 ? (month / 100 + 1) * 100 + 1 : month + 1;
}

std::string pg_encode_evidence(const std::vector<std::string_view>& heartbeats) {
    std::string out;
    for (const auto hb : heartbeats) {
        const auto n = static_cast<std::uint32_t>(hb.size());
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.push_back(static_cast<char>((n >> shift) & 0xff));
        }
        out.append(hb);
    }
    return out;
}

Result<std::vector<std::string>> pg_decode_evidence(std::string_view body) {
    std::vector<std::string> out;
    std::size_t at = 0;
    while (at < body.size()) {
        if (body.size() - at < 4) {
            return make_error("bad_request", "evidence body: truncated length");
        }
        std::uint32_t n = 0;
        for (int i = 0; i < 4; ++i) {
            n = (n << 8) | static_cast<unsigned char>(body[at + static_cast<std::size_t>(i)]);
        }
        at += 4;
        if (body.size() - at < n) {
            return make_error("bad_request", "evidence body: truncated heartbeat");
        }
        out.emplace_back(body.substr(at, n));
        at += n;
    }
    return out;
}

Result<std::vector<std::string>> pg_evidence_entries(std::int64_t kind, std::string_view body,
                                                     std::string_view counted) {
    if (kind == static_cast<std::int64_t>(PgEvidenceKind::list)) {
        auto list = pg_decode_evidence(body);
        if (!list) {
            return make_error("bad_evidence", list.error().message);
        }
        return list;
    }
    if (kind != static_cast<std::int64_t>(PgEvidenceKind::signed_body)) {
        return make_error("bad_evidence", "unknown evidence kind " + std::to_string(kind));
    }
    auto ranges = evidence::decode_ranges(counted);
    if (!ranges) {
        return ranges.error();
    }
    auto all = evidence::heartbeats_of(evidence::Kind::signed_body, body);
    if (!all) {
        return all.error();
    }
    std::vector<std::string> out;
    for (auto& bytes : *all) {
        auto hb = pairing::decode_heartbeat(bytes);
        if (hb && evidence::in_ranges(*ranges, hb->seq)) {
            out.push_back(std::move(bytes));
        }
    }
    return out;
}

std::string pg_redacted_entry(std::string_view bytes, const pairing::Heartbeat& surrogated) {
    return std::string(kRedacted) + pairing::hex_encode(pairing::sha256(bytes)) + "\n" +
           pairing::encode_heartbeat(surrogated);
}

std::optional<pairing::Heartbeat> pg_entry_heartbeat(std::string_view entry) {
    if (entry.starts_with(kRedacted)) {
        const auto nl = entry.find('\n');
        if (nl == std::string_view::npos) {
            return std::nullopt;
        }
        entry.remove_prefix(nl + 1);
    }
    auto hb = pairing::decode_heartbeat(entry);
    if (!hb) {
        return std::nullopt;
    }
    return std::move(*hb);
}

Result<void> pg_ensure_partition(PgPool& pool, std::int64_t month) {
    const auto name = "heartbeat_evidence_" + std::to_string(month);
    return pg_transaction(pool, [&](PgConnection& c) -> Result<void> {
        if (auto r = c.command(kPartitionLock); !r) {
            return r;
        }
        return c.command("CREATE TABLE IF NOT EXISTS " + name +
                         " PARTITION OF heartbeat_evidence FOR VALUES FROM (" +
                         std::to_string(month) + ") TO (" + std::to_string(pg_next_month(month)) +
                         ")");
    });
}

}  // namespace tally::server

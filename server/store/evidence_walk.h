#pragma once
// The checks of `tally-server verify-evidence` (evidence_check.h), the same on every store:
// the walk over one tenant's month of evidence batches (each signed body re-verified byte for
// byte with its device's key, every body decoded, every hash-chain link between counted
// heartbeats re-checked or found recorded as a break on arrival) and the comparison of the
// rollups recomputed from that evidence with the stored ones. A store hands the walk its
// batches (detail::EvidenceRow) and answers the few lookups of EvidenceLookup; no SQL here.
// SqliteStore (sqlite_store_verify.cpp) and PostgresStore (postgres/pg_verify.cpp) use it.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pairing/heartbeat.h"
#include "pairing/result.h"
#include "server/store/evidence_check.h"
#include "server/store/evidence_rows.h"
#include "server/store/rollups.h"

namespace tally::server::detail {

//! What the walk asks a store beyond the batches it is handed, in the store's read
//! transaction.
class EvidenceLookup {
  public:
    virtual ~EvidenceLookup() = default;
    //! The device's registered public key (empty for an unknown device).
    virtual Result<std::string> public_key(const std::string& device) = 0;
    //! The bytes stored for `seq` (counted or held), nullopt when none is stored or its batch
    //! does not decode (that batch is reported where it is walked).
    virtual Result<std::optional<std::string>> stored_bytes(const std::string& device,
                                                            std::uint64_t seq) = 0;
    //! Whether a chain break at `seq` was recorded when it arrived.
    virtual Result<bool> break_recorded(const std::string& device, std::uint64_t seq) = 0;
};

//! Walks the month's batches, by device and first seq: signatures, decoding and chain links.
class EvidenceWalk {
  public:
    //! `month`: YYYYMM in the tenant's zone (`clock`).
    EvidenceWalk(EvidenceLookup& lookup, const TenantClock& clock, std::int64_t month,
                 EvidenceCheck& out)
        : lookup_(lookup), clock_(clock), month_(month), out_(out) {}

    //! One batch and its counted heartbeats in seq order (`problem`: why its body does not
    //! decode, else empty).
    Result<void> batch(const EvidenceRow& row, const std::vector<CountedHeartbeat>& counted,
                       const std::string& problem);

  private:
    std::int64_t month_of(std::string_view bytes) const;
    void remember(const std::vector<CountedHeartbeat>& counted);
    void check_signature(const EvidenceRow& row);
    Result<void> heartbeat(const EvidenceRow& row, const CountedHeartbeat& c);
    Result<void> link(std::uint64_t seq, const std::string& prev,
                      const std::optional<std::pair<std::uint64_t, std::string>>& walked);

    EvidenceLookup& lookup_;
    const TenantClock& clock_;
    std::int64_t month_;
    EvidenceCheck& out_;
    std::string device_;
    std::string key_;
    std::optional<std::pair<std::uint64_t, std::string>> previous_;
};

//! The rollup heartbeat of counted heartbeat `hb` of `device_id` received at `received_at`.
RollupHeartbeat rollup_heartbeat(const std::string& device_id, std::int64_t received_at,
                                 const pairing::Heartbeat& hb);

//! Fills the rollup part of `out`: the stored rows compared (`stored`) and every difference
//! from `expected` (recomputed from the evidence).
void compare_rollups(const Rollups& expected, const Rollups& stored, EvidenceCheck& out);

}  // namespace tally::server::detail

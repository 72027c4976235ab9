#pragma once
// The ledger: what a standalone device holds in its spool, read without modifying anything
// (the running agent may be appending: a record still being written is simply not seen).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "pairing/batch.h"
#include "pairing/heartbeat.h"
#include "pairing/result.h"

namespace tally::agent::standalone {

struct LedgerHeartbeat {
    std::string bytes;  //!< exactly as stored (and as signed into bundles)
    pairing::Heartbeat decoded;
};

struct Ledger {
    std::vector<LedgerHeartbeat> heartbeats;  //!< ascending seq, each seq once
    std::vector<pairing::Gap> gaps;           //!< as declared in the spool
};

//! Reads <state>/spool/seg-*.log. A missing spool is an empty ledger. A heartbeat that does
//! not decode is an error (the spool's CRC said it was intact).
Result<Ledger> read_ledger(const std::filesystem::path& state_dir);

//! Heartbeats whose start lies in [from, to), and the gaps that cover the seqs missing
//! between them: the spool's own gaps (clipped) and, for holes the spool holds nothing
//! about (records acknowledged and deleted while paired), gaps with reason "not_in_spool".
Ledger select_range(const Ledger& ledger, std::int64_t from, std::int64_t to);

}  // namespace tally::agent::standalone

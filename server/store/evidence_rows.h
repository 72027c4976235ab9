#pragma once
// Internal to the SQLite store: the `evidence_batches` table (schema 10, evidence_batch.h):
// writing a batch's evidence, finding which batch counted a seq (the dedupe while its short
// hash is kept), and reading counted heartbeats back for rollup rebuilds and verify-evidence.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/store/evidence_batch.h"
#include "server/store/sqlite_db.h"

namespace tally::server::detail {

//! One stored batch.
struct EvidenceRow {
    std::int64_t id = 0;
    std::string device_id;
    evidence::Kind kind = evidence::Kind::texts;
    evidence::SeqRanges counted;
    std::int64_t received_at = 0;
    std::string body;
    std::string signature;     //!< 64-byte r||s; empty unless signed
    std::int64_t pack_id = 0;  //!< the evidence_packs row holding it (evidence_packs.h), or 0
};

//! What a new evidence row holds (seqs ascending; hashes aligned with them).
struct NewEvidence {
    evidence::Kind kind = evidence::Kind::texts;
    std::string_view body;
    std::string_view signature;
    std::vector<std::uint64_t> seqs;
    std::string hashes;  //!< evidence::kShortHash bytes per seq
    std::int64_t first_start = 0;
    std::int64_t last_start = 0;
};

Result<void> insert_evidence(SqliteDb& db, std::string_view device_id, const NewEvidence& e,
                             std::int64_t now);

//! A counted seq: its batch and its short hash (empty once pruned: past the window).
struct CountedSeq {
    std::int64_t batch_id = 0;  //!< 0 when packed (then pack_id)
    std::string hash;
    std::int64_t pack_id = 0;  //!< packed within the window (evidence_packs.h find_packed)
};
Result<std::optional<CountedSeq>> find_counted(SqliteDb& db, std::string_view device_id,
                                               std::uint64_t seq);

//! A row (of evidence_batches or evidence_pack_hashes) whose counted ranges hold a seq: its id
//! and the seq's short hash (empty when the row's hashes do not reach it: pruned).
struct SeqRow {
    std::int64_t id = 0;
    std::string hash;
};
//! Steps `s`, whose columns are (id, counted ranges, short hashes), to the first row counting
//! `seq`; nullopt when no row does.
Result<std::optional<SeqRow>> first_row_counting(SqliteStatement& s, std::uint64_t seq);
//! The exact stored bytes of counted `seq` (decodes its batch: a rare path).
Result<std::optional<std::string>> counted_bytes(SqliteDb& db, std::string_view device_id,
                                                 std::uint64_t seq);

//! A counted heartbeat read back from evidence.
struct CountedHeartbeat {
    const EvidenceRow* batch = nullptr;
    std::uint64_t seq = 0;
    std::string_view bytes;
};

//! Every batch of the tenant's devices with a counted heartbeat starting in [from, to), by
//! device and first seq, packed ones (evidence_packs.h) included. `fn` gets the row and the counted
//! heartbeats' bytes in seq order (a body that does not decode gives an error naming the batch
//! unless `tolerant`, when `fn` gets no heartbeats and `problem` the reason).
using BatchFn = std::function<Result<void>(const EvidenceRow&, const std::vector<CountedHeartbeat>&,
                                           const std::string& problem)>;
Result<void> each_evidence_batch(SqliteDb& db, std::int64_t tenant_id, std::int64_t from,
                                 std::int64_t to, bool tolerant, const BatchFn& fn);

}  // namespace tally::server::detail

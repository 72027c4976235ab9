#pragma once
// Internal to the SQLite store: the `evidence_packs` table (schema 12, evidence_pack_codec.h).
// The evidence purge moves a device's batches of a day that ended a day ago into packs (a
// device-day per row; schema 14's evidence_pack_hashes keeps their short hashes while the
// window lasts); verify-evidence, rollup rebuilds and the user purge read them back
// as the batches they were.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/store/evidence_rows.h"
#include "server/store/sqlite_db.h"

namespace tally::server::detail {

//! Where the next pack_chunk resumes: after this (device, first seq).
struct PackCursor {
    std::string device_id;
    std::int64_t first_seq = -1;
};

//! What one pack_chunk did.
struct PackedChunk {
    std::int64_t batches = 0;  //!< batches moved into packs
    std::int64_t packs = 0;    //!< packs written
    bool done = false;         //!< nothing left to pack after this chunk
};

//! Inside the caller's transaction: packs the next bounded chunk of batches (after `cursor`,
//! advanced) whose counted heartbeats all started before `before` (a UTC midnight, a day or
//! more ago: EvidencePolicy::pack_after_days) and whose seqs the device's ack covers (a
//! signed body not compacted yet is compacted on the way). One pack per device and UTC day
//! of the batches' last start; each pack's batches are deleted and the device's
//! evidence_floor raised to their highest seq. While the batches still had their short
//! hashes (inside the acceptance window) the pack's are kept in evidence_pack_hashes, so a
//! packed seq arriving again is still told duplicate or fork (find_packed); past the window
//! the floor answers it (a duplicate), as with a pruned short hash.
Result<PackedChunk> pack_chunk(SqliteDb& db, std::int64_t before, PackCursor& cursor);

//! A batch of a pack as an evidence row (pack_id set; a compact body as compact_raw), with
//! its counted ranges unparsed and its heartbeats' first and last start.
struct PackedRow {
    EvidenceRow row;
    std::string counted;
    std::int64_t first_start = 0;
    std::int64_t last_start = 0;
};
//! Error bad_evidence (naming the pack) when the pack does not decode.
Result<std::vector<PackedRow>> pack_rows(std::int64_t pack_id, const std::string& device_id,
                                         std::string_view body, std::string_view signatures);

//! The exact stored bytes of counted `seq` when a pack holds it.
Result<std::optional<std::string>> packed_bytes(SqliteDb& db, std::string_view device_id,
                                                std::uint64_t seq);

//! A counted seq inside a pack whose short hashes are still kept (evidence_pack_hashes).
struct PackedSeq {
    std::int64_t pack_id = 0;
    std::string hash;  //!< evidence::kShortHash bytes
};
//! Reads no pack body: ingest's look-up of a packed seq inside the acceptance window.
Result<std::optional<PackedSeq>> find_packed(SqliteDb& db, std::string_view device_id,
                                             std::uint64_t seq);

//! Replaces batches of pack `pack_id` (by batch id) with redacted bodies (evidence_batch.h
//! kind redacted, no signature): the user purge's rewrite of packed evidence.
Result<void> redact_packed(SqliteDb& db, std::int64_t pack_id,
                           const std::map<std::int64_t, std::string>& redacted);

}  // namespace tally::server::detail

#pragma once
// Evidence packs (schema 12, server/store/README.md): once a UTC day ended a day ago (its
// short hashes are kept beside the pack until the window ends: evidence_packs.h), the
// evidence purge moves a device-day of batches into one `evidence_packs` row, so that what repeats
// from batch to batch (boot id, user names, the batch JSON around the heartbeats, the gzip header)
// is deflated once and the per-batch row and index entry are gone. This file is the pack's
// encoding, no SQL.
//
// Each batch keeps everything needed to give back its `evidence_batches` row: its id, kind,
// counted seq ranges, first/last start, receive time, signature and body. A compact body
// (evidence_compact.h) is held uncompressed (kind compact_raw) inside the pack's one zlib
// stream, so `verify-evidence` still rebuilds the exact bytes the device signed and checks
// the signature over them; a body kept as received (signed, texts, redacted) is held as it
// is. The signatures (64 incompressible bytes each) are kept apart, concatenated.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/store/evidence_batch.h"

namespace tally::server::evidence {

//! One batch of a pack.
struct PackedBatch {
    std::int64_t id = 0;  //!< its evidence_batches id (for messages)
    Kind kind = Kind::texts;
    std::string counted;  //!< its counted seq ranges ("a-b,c-d")
    std::int64_t first_seq = 0;
    std::int64_t last_seq = 0;
    std::int64_t first_start = 0;
    std::int64_t last_start = 0;
    std::int64_t received_at = 0;
    std::string signature;  //!< empty unless signed
    std::string body;       //!< as evidence_batches holds it; compact ones as compact_raw
};

struct EncodedPack {
    std::string body;        //!< the zlib stream
    std::string signatures;  //!< the batches' signatures, concatenated in order
};

//! Packs `batches` (a compact body is inflated into the stream; one that does not inflate is
//! kept as stored, to be reported by verify-evidence).
EncodedPack encode_pack(const std::vector<PackedBatch>& batches);

//! The batches of a pack, compact ones as compact_raw. Error bad_evidence when the body does
//! not inflate or parse, or the signatures do not add up.
Result<std::vector<PackedBatch>> decode_pack(std::string_view body, std::string_view signatures);

}  // namespace tally::server::evidence

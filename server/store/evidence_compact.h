#pragma once
// The compact form of a signed evidence body (evidence_batch.h kind compact), made off the
// ingest path by the evidence purge: the body's inflated JSON with every heartbeat's `prev`
// dropped when it follows from the heartbeat before it in the batch (the 64 hex digits of a
// SHA-256: most of what does not compress), the gzip header and the deflate level, all
// zlib-compressed. rebuild() re-deflates it to the exact bytes the device signed; compact()
// keeps the form only when that rebuild is byte-identical (same zlib output as the sender's),
// so the signature still verifies. No SQL here.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"

namespace tally::server::evidence {

//! The compact form of signed body `body`, or nullopt when it would not rebuild exactly.
std::optional<std::string> compact(std::string_view body);

struct Rebuilt {
    std::vector<std::string> heartbeats;  //!< each heartbeat's exact bytes
    std::string body;                     //!< the signed body (only when asked for)
};
//! Error bad_evidence when `compact_body` does not decode.
Result<Rebuilt> rebuild(std::string_view compact_body, bool with_body);

//! The compact form uncompressed (what an evidence pack holds, evidence_pack_codec.h): error
//! bad_evidence when `compact_body` does not inflate.
Result<std::string> inflate(std::string_view compact_body);
//! rebuild() of an inflated compact form.
Result<Rebuilt> rebuild_raw(std::string_view raw, bool with_body);

//! For an evidence pack: inflated compact form `raw` with its first heartbeat's `prev` cut
//! (flag 2) when it is `prev_hex`, the chain hash of the last heartbeat of the batch before it
//! in the pack; nullopt when it is not (kept whole).
std::optional<std::string> drop_first_prev(std::string_view raw, std::string_view prev_hex);
//! The inverse: `raw` with a cut first `prev` put back as `prev_hex` (unchanged when not cut).
//! Error bad_evidence when it does not parse, or is cut and `prev_hex` is empty.
Result<std::string> restore_first_prev(std::string_view raw, std::string_view prev_hex);

}  // namespace tally::server::evidence

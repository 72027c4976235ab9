#pragma once
// Evidence kept per accepted batch (DESIGN.md §5 "Storage at scale", server/store/README.md):
// one row of `evidence_batches` per batch that counted at least one heartbeat, holding what
// proves those heartbeats. No SQL here: the row's pieces and how to read them back.
//
// Kinds of body:
//  * signed: the request body exactly as received (the gzip stream the device signed) and the
//    64-byte r||s signature, so `verify-evidence` re-checks the signature byte for byte.
//  * texts: the counted heartbeats' exact bytes, gzip-compressed, no signature (a standalone
//    bundle import, whose bundle is verified on import; heartbeats migrated from schema 9,
//    whose signed bodies were never kept).
//  * compact: a signed body in the compact form of evidence_compact.h (made by the evidence
//    purge when it rebuilds the exact signed bytes), with the same signature.
//  * redacted: like texts, but re-encoded by the purge with purged users' principals replaced
//    by their surrogates: it still counts, its bytes are no longer the device's.
//  * compact_raw: never stored in `evidence_batches`; a compact body uncompressed, as a batch
//    read back from an evidence pack (evidence_pack_codec.h) holds it.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pairing/result.h"

namespace tally::server::evidence {

enum class Kind : std::int64_t {
    signed_body = 0,
    texts = 1,
    redacted = 2,
    compact = 3,
    compact_raw = 4
};

//! Inclusive seq ranges, ascending and disjoint.
using SeqRanges = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

//! "a-b,c-d" (a single seq as "a-a"); the ranges of ascending `seqs`.
std::string encode_ranges(const std::vector<std::uint64_t>& seqs);
//! Error bad_evidence on a malformed text.
Result<SeqRanges> decode_ranges(std::string_view text);
bool in_ranges(const SeqRanges& ranges, std::uint64_t seq);
//! How many seqs precede `seq` in the ranges (its index in the batch's hashes); `seq` must be
//! in them.
std::size_t index_in_ranges(const SeqRanges& ranges, std::uint64_t seq);

//! Bytes of the short hash kept per counted heartbeat while its seq can still arrive: the
//! first 8 bytes of SHA-256 of its bytes (a fork differs with probability 1 - 2^-64).
constexpr std::size_t kShortHash = 8;
std::string short_hash(std::string_view heartbeat_bytes);
//! Whether hex `prev` (a heartbeat's `prev` field) starts with `hash` (a short hash).
bool prev_matches(std::string_view prev_hex, std::string_view hash);

//! The body of a texts or redacted batch: the heartbeats' bytes, newline-separated (a JSON
//! text has no raw newline), gzip-compressed.
std::string encode_texts(const std::vector<std::string_view>& heartbeats);

//! Every heartbeat string the body holds, in order (for a signed body: the batch's, counted or
//! not). Error bad_evidence when the body does not inflate or parse.
Result<std::vector<std::string>> heartbeats_of(Kind kind, std::string_view body);

}  // namespace tally::server::evidence

#pragma once
// Standalone usage bundles (PROTOCOL.md §10): what `tally-agent export` writes and
// `tally-server import` reads. A bundle carries a device's public key and facts, its
// heartbeats (exact bytes, hash-chained) and declared gaps for a time range, and an ECDSA
// signature over a manifest that commits to all of it (the chain head and a digest of every
// heartbeat). verify_bundle() checks everything a receiver can check without a database.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/batch.h"
#include "pairing/bytes.h"
#include "pairing/heartbeat.h"
#include "pairing/messages.h"
#include "pairing/result.h"

namespace tally::pairing {

inline constexpr const char* kBundleFormat = "tally-bundle";
inline constexpr std::uint32_t kBundleVersion = 1;
//! Receivers refuse larger files before parsing (a year of 5-minute heartbeats is ~40 MiB).
inline constexpr std::size_t kMaxBundleBytes = 256u << 20;
inline constexpr std::size_t kMaxBundleHeartbeats = 2'000'000;

//! What the exporter knows; the digest, chain anchors and seq range are computed.
struct BundleContents {
    Bytes public_key;  //!< 65-byte point of the device key that signs
    DeviceFacts device;
    std::int64_t created_at = 0;  //!< when the bundle was written
    std::int64_t from = 0;        //!< covered range [from, to), Unix seconds
    std::int64_t to = 0;
    std::vector<std::string> heartbeats;  //!< exact bytes, ascending seq
    std::vector<Gap> gaps;                //!< declared lost seqs inside the bundle's seq range
};

//! The signed part, as decoded.
struct BundleManifest {
    std::uint32_t version = kBundleVersion;
    Bytes public_key;
    DeviceFacts device;
    std::int64_t created_at = 0;
    std::int64_t from = 0;
    std::int64_t to = 0;
    std::uint64_t first_seq = 0;
    std::uint64_t last_seq = 0;
    std::uint64_t count = 0;
    std::string prev;  //!< `prev` of the first heartbeat: the chain anchor
    std::string head;  //!< chain hash of the last heartbeat
    std::string heartbeats_sha256;
    std::vector<Gap> gaps;
};

struct VerifiedBundle {
    BundleManifest manifest;
    std::vector<std::string> heartbeat_bytes;  //!< exact bytes, ascending seq
    std::vector<Heartbeat> heartbeats;         //!< decoded, same order
};

using BundleSigner = std::function<Result<Bytes>(std::span<const std::uint8_t>)>;

//! The bundle file's bytes (one line of JSON and "\n"). Errors: "bad_bundle" when the
//! contents are inconsistent (no heartbeats, unsorted seqs, a heartbeat that does not decode,
//! a hole in the seqs not declared as a gap), or the signer's error.
Result<std::string> encode_bundle(const BundleContents& contents, const BundleSigner& sign);

//! Verifies a bundle file completely: canonical form, manifest, signature (with the key the
//! manifest names), every heartbeat's strict decoding and time range, the seq coverage
//! (heartbeats + declared gaps, no undeclared hole), the hash chain and the digest. Error
//! codes: "bad_bundle" (malformed, truncated, wrong version), "bad_signature",
//! "chain_broken" (a heartbeat removed, edited or reordered); the message says where.
Result<VerifiedBundle> verify_bundle(std::string_view file);

//! Checks an ECDSA signature: (public key, message, r||s) → valid.
using SignatureCheck = std::function<bool(
    std::span<const std::uint8_t>, std::span<const std::uint8_t>, std::span<const std::uint8_t>)>;
//! verify_bundle with the signature checked by `check` (verify_bundle passes
//! verify_signature). The resident agent, which has no ECDSA code, checks its own export
//! with this (bundle_verify.cpp holds verify_bundle so that this file needs no crypto).
Result<VerifiedBundle> verify_bundle_with(std::string_view file, const SignatureCheck& check);

}  // namespace tally::pairing

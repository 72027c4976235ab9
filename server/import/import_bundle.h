#pragma once
// Importing a standalone bundle into a tenant (see README.md). Refusals are errors whose
// code says why: bad_bundle, bad_signature, chain_broken (from verification), not_found
// (tenant), tenant_inactive, wrong_tenant (the key belongs to another tenant's device).

#include <cstdint>
#include <string>
#include <string_view>

#include "pairing/result.h"
#include "server/store/store.h"

namespace tally::server {

struct ImportReport {
    std::string device_id;
    std::string trust;  //!< "first_use" (registered by this import) or "known_key"
    std::uint64_t first_seq = 0;
    std::uint64_t last_seq = 0;
    std::uint64_t heartbeats = 0;     //!< in the bundle
    std::uint64_t accepted = 0;       //!< new, now counted
    std::uint64_t duplicates = 0;     //!< already held with the same bytes
    std::uint64_t refused = 0;        //!< forks + future-dated
    std::uint64_t forks = 0;          //!< same seq held with different bytes (kept as evidence)
    std::uint64_t future = 0;         //!< end more than 5 minutes ahead of the server clock
    std::uint64_t declared_lost = 0;  //!< seqs the bundle declares lost (gaps)
    std::uint64_t chain_breaks = 0;   //!< breaks against heartbeats already stored
    std::uint64_t acked_through = 0;  //!< the device's contiguous ack after the import
};

Result<ImportReport> import_bundle(Store& store, std::string_view tenant, std::string_view file,
                                   std::int64_t now);

std::string import_report_json(const ImportReport& r);
std::string import_report_text(const ImportReport& r);

}  // namespace tally::server

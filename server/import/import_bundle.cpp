// Bundle import (see import_bundle.h).

#include "server/import/import_bundle.h"

#include <sstream>

#include <nlohmann/json.hpp>

#include "pairing/bundle.h"
#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "server/billing/tenant_status.h"
#include "server/ingest/device_id.h"

namespace tally::server {
namespace {

constexpr std::int64_t kMaxFutureS = 5 * 60;

//! The device holding `key` in any tenant, or nullopt.
Result<std::optional<Device>> device_by_key(Store& store, const std::string& key) {
    auto tenants = store.list_tenants();
    if (!tenants)
        return tenants.error();
    for (const auto& t : *tenants) {
        auto devices = store.list_devices(t.name);
        if (!devices)
            return devices.error();
        for (auto& d : *devices) {
            if (d.public_key == key)
                return std::optional<Device>(std::move(d));
        }
    }
    return std::optional<Device>();
}

//! Trust on first use: the bundle's key becomes a device of `tenant`. Registration goes
//! through the pairing transaction with a one-use code made for it here (random, never
//! shown, expiring in a minute), so a device is created exactly as pairing creates one.
Result<Device> register_first_use(Store& store, std::string_view tenant,
                                  const pairing::BundleManifest& m, std::int64_t now) {
    const std::string secret = pairing::base64url_encode(pairing::random_bytes(32));
    NewPairingCode code;
    code.tenant = std::string(tenant);
    code.code_hash = pairing::hex_encode(pairing::sha256("import:" + secret));
    code.uses = 1;
    code.expires_at = now + 60;
    if (auto r = store.add_pairing_code(code, now); !r)
        return r.error();
    PairAttempt a;
    a.code_hash = code.code_hash;
    a.public_key = std::string(pairing::as_chars(m.public_key));
    a.facts = m.device;
    a.new_device_id = new_device_id();
    a.now = now;
    a.enrollment = "import_tofu";  // with the device, in one transaction
    return store.pair_device(a);
}

}  // namespace

Result<ImportReport> import_bundle(Store& store, std::string_view tenant, std::string_view file,
                                   std::int64_t now) {
    auto bundle = pairing::verify_bundle(file);
    if (!bundle)
        return bundle.error();
    const auto& m = bundle->manifest;

    auto t = store.find_tenant(tenant);
    if (!t)
        return t.error();
    if (!*t)
        return make_error("not_found", "tenant '" + std::string(tenant) + "' does not exist");
    // DESIGN.md §5 rule 5, by the billing rule itself (a dated inactivation included): an
    // inactive tenant takes no usage, by CLI or HTTP.
    auto settings = store.tenant_settings(tenant);
    if (!settings)
        return settings.error();
    if (domain::parse_tenant_status((*t)->status) == domain::TenantStatus::inactive ||
        billing::tenant_status(*settings, now) == domain::TenantStatus::inactive)
        return make_error("tenant_inactive", "tenant '" + std::string(tenant) + "' is inactive");

    ImportReport report;
    const std::string key(pairing::as_chars(m.public_key));
    auto existing = device_by_key(store, key);
    if (!existing)
        return existing.error();
    Device device;
    if (*existing) {
        if ((*existing)->tenant != tenant) {
            return make_error("wrong_tenant",
                              "the bundle's device key belongs to a device of another tenant; "
                              "it cannot be imported into '" +
                                  std::string(tenant) + "'");
        }
        device = **existing;
        report.trust = "known_key";
    } else {
        auto created = register_first_use(store, tenant, m, now);
        if (!created)
            return created.error();
        device = *created;
        report.trust = "first_use";
    }
    report.device_id = device.id;
    report.first_seq = m.first_seq;
    report.last_seq = m.last_seq;
    report.heartbeats = bundle->heartbeats.size();
    for (const auto& g : m.gaps)
        report.declared_lost += g.count();

    // Imports accept old heartbeats (the upload window's backfill limit does not apply);
    // a heartbeat from the future is refused as uploads refuse it.
    std::vector<AcceptedHeartbeat> accepted;
    accepted.reserve(bundle->heartbeats.size());
    for (std::size_t i = 0; i < bundle->heartbeats.size(); ++i) {
        if (bundle->heartbeats[i].end > now + kMaxFutureS) {
            ++report.future;
            continue;
        }
        accepted.push_back(
            {std::move(bundle->heartbeat_bytes[i]), std::move(bundle->heartbeats[i]), false});
    }
    auto stored = store.store_batch(device.id, accepted, m.gaps, now);
    if (!stored)
        return stored.error();
    report.accepted = stored->accepted;
    report.duplicates = stored->duplicates;
    report.forks = stored->forks;
    report.refused = stored->forks + report.future;
    report.chain_breaks = stored->chain_breaks;
    report.acked_through = stored->acked_through;
    return report;
}

std::string import_report_json(const ImportReport& r) {
    nlohmann::ordered_json doc;
    doc["device_id"] = r.device_id;
    doc["trust"] = r.trust;
    doc["first_seq"] = r.first_seq;
    doc["last_seq"] = r.last_seq;
    doc["heartbeats"] = r.heartbeats;
    doc["new"] = r.accepted;
    doc["duplicate"] = r.duplicates;
    doc["refused"] = r.refused;
    doc["forks"] = r.forks;
    doc["future"] = r.future;
    doc["declared_lost"] = r.declared_lost;
    doc["chain_breaks"] = r.chain_breaks;
    doc["acked_through"] = r.acked_through;
    return doc.dump();
}

std::string import_report_text(const ImportReport& r) {
    std::ostringstream o;
    o << "imported bundle of device " << r.device_id
      << (r.trust == "first_use" ? " (registered now: trust on first use)" : " (known key)")
      << "\n  seqs " << r.first_seq << ".." << r.last_seq << ": " << r.heartbeats
      << " heartbeat(s), " << r.declared_lost << " declared lost\n  new " << r.accepted
      << ", duplicate " << r.duplicates << ", refused " << r.refused;
    if (r.refused > 0)
        o << " (" << r.forks << " fork(s), " << r.future << " from the future)";
    o << "\n";
    if (r.chain_breaks > 0)
        o << "  " << r.chain_breaks << " chain break(s) against stored heartbeats recorded\n";
    return o.str();
}

}  // namespace tally::server

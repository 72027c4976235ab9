// Writing a bundle from the ledger (see bundle_export.h).

#include "agent/standalone/bundle_export.h"

#include <algorithm>

#include "agent/standalone/ledger.h"
#include "pairing/bundle.h"
#include "pairing/time_format.h"

namespace tally::agent::standalone {

Result<ExportSummary> export_bundle(const std::filesystem::path& state_dir, const KeyStore& keys,
                                    FileSystem& files, const ExportInput& in) {
    if (!keys.has_key())
        return make_error("key", "this device has no key yet: run the agent once first");
    auto ledger = read_ledger(state_dir);
    if (!ledger)
        return ledger.error();
    Ledger selected = select_range(*ledger, in.from, in.to);
    if (selected.heartbeats.empty()) {
        return make_error("empty", "no heartbeats between " + pairing::format_rfc3339(in.from) +
                                       " and " + pairing::format_rfc3339(in.to) +
                                       " in this device's spool: nothing to export");
    }
    auto key = keys.public_key();
    if (!key)
        return key.error();
    pairing::BundleContents c;
    c.public_key = *key;
    c.device = in.facts;
    c.created_at = in.now;
    c.from = in.from;
    c.to = in.to;
    for (auto& hb : selected.heartbeats)
        c.heartbeats.push_back(hb.bytes);
    c.gaps = selected.gaps;
    pairing::Bytes signature;
    auto file = pairing::encode_bundle(c, [&](std::span<const std::uint8_t> m) {
        auto s = keys.sign(m);
        if (s)
            signature = *s;
        return s;
    });
    if (!file)
        return file.error();
    // Check what we wrote the way a server will, before anyone relies on it. The resident
    // agent has no ECDSA code (the key and OpenSSL live in the helper): the signature must
    // be the one our key just made, under our public key; the rest is checked in full.
    auto ours = [&](std::span<const std::uint8_t> k, std::span<const std::uint8_t>,
                    std::span<const std::uint8_t> s) {
        return std::ranges::equal(k, c.public_key) && std::ranges::equal(s, signature);
    };
    if (auto v = pairing::verify_bundle_with(*file, ours); !v)
        return make_error("internal", "the bundle does not verify: " + v.error().message);
    if (auto r = files.write_atomic(in.output, *file, false); !r)
        return r.error();
    ExportSummary s;
    s.heartbeats = c.heartbeats.size();
    s.first_seq = selected.heartbeats.front().decoded.seq;
    s.last_seq = selected.heartbeats.back().decoded.seq;
    for (const auto& g : selected.gaps)
        s.declared_lost += g.count();
    s.bytes = file->size();
    return s;
}

}  // namespace tally::agent::standalone

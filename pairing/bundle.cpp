// Standalone usage bundles: encoding and complete verification (see bundle.h, PROTOCOL.md §10).

#include "pairing/bundle.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "pairing/crypto.h"
#include "pairing/json_strict.h"
#include "pairing/time_format.h"

namespace tally::pairing {
namespace {

using detail::FieldReader;
using ojson = nlohmann::ordered_json;

std::string dump(const ojson& doc) {
    return doc.dump(-1, ' ', false, ojson::error_handler_t::strict);
}

Error bad_bundle(std::string message) {
    return make_error("bad_bundle", "bundle: " + std::move(message));
}
Error chain_broken(std::string message) {
    return make_error("chain_broken", "bundle: " + std::move(message));
}

bool is_lower_hex(std::string_view s, std::size_t n) {
    return s.size() == n && std::all_of(s.begin(), s.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

//! SHA-256 over the concatenated raw SHA-256 of each heartbeat's bytes, hex.
std::string heartbeats_digest(const std::vector<std::string>& heartbeats) {
    Bytes all;
    all.reserve(heartbeats.size() * kSha256Size);
    for (const auto& hb : heartbeats) {
        Bytes h = sha256(hb);
        all.insert(all.end(), h.begin(), h.end());
    }
    return hex_encode(sha256(all));
}

std::string seq_range(std::uint64_t from, std::uint64_t to) {
    return from == to ? "seq " + std::to_string(from)
                      : "seqs " + std::to_string(from) + ".." + std::to_string(to);
}

//! The rules both sides apply: ascending seqs, every seq of [first, last] either a heartbeat
//! or inside exactly one declared gap, and unbroken chain links between adjacent seqs.
//! Sets `first`/`last` to the covered seq range.
Result<void> check_structure(const std::vector<std::string>& bytes,
                             const std::vector<Heartbeat>& hbs, const std::vector<Gap>& gaps,
                             std::uint64_t& first, std::uint64_t& last) {
    if (hbs.empty())
        return bad_bundle("no heartbeats");
    std::vector<Gap> sorted = gaps;
    std::sort(sorted.begin(), sorted.end(),
              [](const Gap& a, const Gap& b) { return a.from_seq < b.from_seq; });
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        if (sorted[i].from_seq < 1 || sorted[i].to_seq < sorted[i].from_seq)
            return bad_bundle("gap " + seq_range(sorted[i].from_seq, sorted[i].to_seq) +
                              " is not a seq range");
        if (i > 0 && sorted[i].from_seq <= sorted[i - 1].to_seq)
            return bad_bundle("gaps overlap at seq " + std::to_string(sorted[i].from_seq));
    }
    first = hbs.front().seq;
    last = hbs.back().seq;
    if (!sorted.empty()) {
        first = std::min(first, sorted.front().from_seq);
        last = std::max(last, sorted.back().to_seq);
    }
    auto in_gap = [&](std::uint64_t seq) {
        return std::any_of(sorted.begin(), sorted.end(),
                           [seq](const Gap& g) { return g.from_seq <= seq && seq <= g.to_seq; });
    };
    // Walk the seq range: heartbeats and gaps must tile it exactly.
    std::uint64_t expect = first;
    std::size_t gi = 0;
    for (std::size_t i = 0; i < hbs.size(); ++i) {
        const std::uint64_t seq = hbs[i].seq;
        if (i > 0 && seq <= hbs[i - 1].seq)
            return chain_broken("heartbeat seq " + std::to_string(seq) + " follows seq " +
                                std::to_string(hbs[i - 1].seq) + " (not ascending)");
        if (in_gap(seq))
            return bad_bundle("heartbeat seq " + std::to_string(seq) +
                              " lies inside a declared gap");
        while (expect < seq) {
            while (gi < sorted.size() && sorted[gi].to_seq < expect)
                ++gi;
            if (gi < sorted.size() && sorted[gi].from_seq <= expect) {
                expect = sorted[gi].to_seq + 1;
                continue;
            }
            std::uint64_t hole_end = seq - 1;
            if (gi < sorted.size())
                hole_end = std::min(hole_end, sorted[gi].from_seq - 1);
            return chain_broken(seq_range(expect, hole_end) +
                                " missing and not declared as a gap (heartbeat removed?)");
        }
        if (i > 0 && hbs[i - 1].seq + 1 == seq && hbs[i].prev != chain_hash(bytes[i - 1])) {
            return chain_broken("heartbeat seq " + std::to_string(seq) +
                                ": prev does not match the hash of seq " + std::to_string(seq - 1) +
                                " (edited or replaced)");
        }
        expect = seq + 1;
    }
    for (; gi < sorted.size(); ++gi) {
        if (sorted[gi].to_seq < expect)
            continue;
        if (sorted[gi].from_seq > expect)
            return chain_broken(seq_range(expect, sorted[gi].from_seq - 1) +
                                " missing and not declared as a gap (heartbeat removed?)");
        expect = sorted[gi].to_seq + 1;
    }
    return {};
}

ojson device_json(const DeviceFacts& f) {
    ojson d;
    d["hostname"] = f.hostname;
    d["os"] = f.os;
    d["os_version"] = f.os_version;
    d["agent_version"] = f.agent_version;
    d["device_type"] = f.device_type;
    d["role"] = f.role;
    d["fingerprint"] = f.fingerprint;
    return d;
}

std::string encode_manifest(const BundleManifest& m) {
    ojson doc;
    doc["format"] = kBundleFormat;
    doc["version"] = m.version;
    doc["public_key"] = base64url_encode(m.public_key);
    doc["device"] = device_json(m.device);
    doc["created_at"] = format_rfc3339(m.created_at);
    doc["from"] = format_rfc3339(m.from);
    doc["to"] = format_rfc3339(m.to);
    doc["first_seq"] = m.first_seq;
    doc["last_seq"] = m.last_seq;
    doc["count"] = m.count;
    doc["prev"] = m.prev;
    doc["head"] = m.head;
    doc["heartbeats_sha256"] = m.heartbeats_sha256;
    doc["gaps"] = ojson::array();
    for (const Gap& g : m.gaps) {
        ojson gap;
        gap["from_seq"] = g.from_seq;
        gap["to_seq"] = g.to_seq;
        gap["reason"] = g.reason;
        doc["gaps"].push_back(std::move(gap));
    }
    return dump(doc);
}

void check_one_of(FieldReader& r, const char* key, const std::string& value,
                  std::initializer_list<std::string_view> allowed) {
    if (r.ok() && std::find(allowed.begin(), allowed.end(), value) == allowed.end())
        r.fail(key, "unexpected value '" + value + "'");
}

Result<BundleManifest> decode_manifest(std::string_view text) {
    auto parsed = detail::parse_json_strict(text, "bundle manifest");
    if (!parsed)
        return bad_bundle(parsed.error().message);
    FieldReader r(*parsed, "manifest");
    r.reject_unknown({"format", "version", "public_key", "device", "created_at", "from", "to",
                      "first_seq", "last_seq", "count", "prev", "head", "heartbeats_sha256",
                      "gaps"});
    BundleManifest m;
    std::string format = r.str("format", 1, 64);
    if (r.ok() && format != kBundleFormat)
        r.fail("format", std::string("must be '") + kBundleFormat + "'");
    m.version = r.u32("version", 1);
    if (r.ok() && m.version != kBundleVersion)
        r.fail("version", "version " + std::to_string(m.version) +
                              " is not supported (this reader knows version " +
                              std::to_string(kBundleVersion) + ")");
    std::string key = r.str("public_key", 1, 128);
    if (r.ok()) {
        auto raw = base64url_decode(key);
        if (!raw || raw->size() != kPublicKeySize)
            r.fail("public_key", "expected base64url of a 65-byte point");
        else
            m.public_key = *raw;
    }
    const nlohmann::json* device = r.object("device");
    m.created_at = r.time("created_at", true);
    m.from = r.time("from", true);
    m.to = r.time("to", true);
    m.first_seq = r.u64("first_seq", 1);
    m.last_seq = r.u64("last_seq", 1);
    m.count = r.u64("count", 1, kMaxBundleHeartbeats);
    m.prev = r.str("prev", 64, 64);
    m.head = r.str("head", 64, 64);
    m.heartbeats_sha256 = r.str("heartbeats_sha256", 64, 64);
    const nlohmann::json* gaps = r.array("gaps", 100000);
    if (r.ok() && !(is_lower_hex(m.prev, 64) && is_lower_hex(m.head, 64) &&
                    is_lower_hex(m.heartbeats_sha256, 64)))
        r.fail("prev/head/heartbeats_sha256", "expected 64 lower-case hex digits");
    if (r.ok() && m.to <= m.from)
        r.fail("to", "must be after from");
    if (r.ok() && m.last_seq < m.first_seq)
        r.fail("last_seq", "must be ≥ first_seq");
    if (!r.ok())
        return bad_bundle(r.error().message);

    FieldReader d(*device, "manifest.device");
    d.reject_unknown(
        {"hostname", "os", "os_version", "agent_version", "device_type", "role", "fingerprint"});
    m.device.hostname = d.str("hostname", 1, 255);
    m.device.os = d.str("os", 1, 32);
    m.device.os_version = d.str("os_version", 0, 128);
    m.device.agent_version = d.str("agent_version", 1, 64);
    m.device.device_type = d.str("device_type", 1, 16);
    check_one_of(d, "device_type", m.device.device_type, {"business", "personal"});
    m.device.role = d.str("role", 1, 16);
    check_one_of(d, "role", m.device.role, {"workstation", "server", "kiosk"});
    m.device.fingerprint = d.str("fingerprint", 64, 64);
    if (d.ok() && !is_lower_hex(m.device.fingerprint, 64))
        d.fail("fingerprint", "expected 64 lower-case hex digits");
    if (!d.ok())
        return bad_bundle(d.error().message);

    for (std::size_t i = 0; i < gaps->size(); ++i) {
        FieldReader g((*gaps)[i], "manifest.gaps[" + std::to_string(i) + "]");
        g.reject_unknown({"from_seq", "to_seq", "reason"});
        Gap gap;
        gap.from_seq = g.u64("from_seq", 1);
        gap.to_seq = g.u64("to_seq", 1);
        gap.reason = g.str("reason", 1, 64);
        if (!g.ok())
            return bad_bundle(g.error().message);
        m.gaps.push_back(std::move(gap));
    }
    return m;
}

}  // namespace

Result<std::string> encode_bundle(const BundleContents& c, const BundleSigner& sign) {
    if (c.public_key.size() != kPublicKeySize)
        return bad_bundle("the public key is not a 65-byte point");
    if (c.to <= c.from)
        return bad_bundle("the time range is empty");
    std::vector<Heartbeat> decoded;
    decoded.reserve(c.heartbeats.size());
    for (const auto& bytes : c.heartbeats) {
        auto hb = decode_heartbeat(bytes);
        if (!hb)
            return bad_bundle(hb.error().message);
        decoded.push_back(std::move(*hb));
    }
    BundleManifest m;
    if (auto r = check_structure(c.heartbeats, decoded, c.gaps, m.first_seq, m.last_seq); !r)
        return r.error();
    m.public_key = c.public_key;
    m.device = c.device;
    m.created_at = c.created_at;
    m.from = c.from;
    m.to = c.to;
    m.count = c.heartbeats.size();
    m.prev = decoded.front().prev;
    m.head = chain_hash(c.heartbeats.back());
    m.heartbeats_sha256 = heartbeats_digest(c.heartbeats);
    m.gaps = c.gaps;
    std::sort(m.gaps.begin(), m.gaps.end(),
              [](const Gap& a, const Gap& b) { return a.from_seq < b.from_seq; });

    std::string manifest = encode_manifest(m);
    auto signature = sign(as_bytes(manifest));
    if (!signature)
        return signature.error();
    if (signature->size() != kSignatureSize)
        return make_error("key", "the signer returned " + std::to_string(signature->size()) +
                                     " bytes, not a 64-byte r||s signature");
    ojson doc;
    doc["manifest"] = manifest;
    doc["heartbeats"] = c.heartbeats;
    doc["signature"] = base64url_encode(*signature);
    return dump(doc) + "\n";
}

Result<VerifiedBundle> verify_bundle_with(std::string_view file, const SignatureCheck& check) {
    if (file.size() > kMaxBundleBytes)
        return bad_bundle("file is larger than " + std::to_string(kMaxBundleBytes) + " bytes");
    if (file.empty())
        return bad_bundle("file is empty");
    std::string_view body = file;
    if (body.back() == '\n')
        body.remove_suffix(1);
    auto parsed = detail::parse_json_strict(body, "bundle");
    if (!parsed) {
        return bad_bundle(parsed.error().message + " (truncated or not a bundle?)");
    }
    FieldReader r(*parsed, "bundle");
    r.reject_unknown({"manifest", "heartbeats", "signature"});
    std::string manifest_text = r.str("manifest", 1, 1u << 20);
    const nlohmann::json* heartbeats = r.array("heartbeats", kMaxBundleHeartbeats);
    std::string signature_text = r.str("signature", 1, 128);
    if (!r.ok())
        return bad_bundle(r.error().message);
    for (const auto& hb : *heartbeats) {
        if (!hb.is_string())
            return bad_bundle("heartbeats: every element must be a string");
    }
    // Exactly one encoding is valid, so no byte of the file is outside what is checked.
    ojson canonical;
    canonical["manifest"] = manifest_text;
    canonical["heartbeats"] = *heartbeats;
    canonical["signature"] = signature_text;
    if (dump(canonical) != body)
        return bad_bundle("the file is not in the canonical form it was written in (edited?)");

    auto manifest = decode_manifest(manifest_text);
    if (!manifest)
        return manifest.error();
    auto signature = base64url_decode(signature_text);
    if (!signature || signature->size() != kSignatureSize)
        return bad_bundle("signature: expected base64url of a 64-byte r||s signature");
    if (!check(manifest->public_key, as_bytes(manifest_text), *signature)) {
        return make_error("bad_signature",
                          "bundle: the signature does not verify with the device key the "
                          "bundle names (forged, re-signed or edited manifest)");
    }

    VerifiedBundle out;
    out.manifest = std::move(*manifest);
    const BundleManifest& m = out.manifest;
    out.heartbeat_bytes.reserve(heartbeats->size());
    for (std::size_t i = 0; i < heartbeats->size(); ++i) {
        std::string bytes = (*heartbeats)[i].get<std::string>();
        auto hb = decode_heartbeat(bytes);
        if (!hb)
            return bad_bundle("heartbeats[" + std::to_string(i) + "]: " + hb.error().message);
        if (hb->start < m.from || hb->start >= m.to)
            return bad_bundle("heartbeat seq " + std::to_string(hb->seq) +
                              " starts outside the bundle's range " + format_rfc3339(m.from) +
                              " .. " + format_rfc3339(m.to));
        out.heartbeat_bytes.push_back(std::move(bytes));
        out.heartbeats.push_back(std::move(*hb));
    }
    std::uint64_t first = 0, last = 0;
    if (auto s = check_structure(out.heartbeat_bytes, out.heartbeats, m.gaps, first, last); !s)
        return s.error();
    if (out.heartbeats.size() != m.count)
        return chain_broken("the manifest lists " + std::to_string(m.count) +
                            " heartbeats, the file holds " + std::to_string(out.heartbeats.size()) +
                            " (truncated or removed)");
    if (first != m.first_seq || last != m.last_seq)
        return chain_broken("the file covers " + seq_range(first, last) + ", the manifest signed " +
                            seq_range(m.first_seq, m.last_seq));
    if (out.heartbeats.front().prev != m.prev)
        return chain_broken("the first heartbeat's prev is not the signed chain anchor");
    if (chain_hash(out.heartbeat_bytes.back()) != m.head)
        return chain_broken("the last heartbeat is not the signed chain head (edited?)");
    if (heartbeats_digest(out.heartbeat_bytes) != m.heartbeats_sha256)
        return chain_broken("the heartbeats do not match the signed digest (edited?)");
    return out;
}

}  // namespace tally::pairing

// standalone.json and the device key (see standalone_identity.h).

#include "agent/standalone/standalone_identity.h"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "pairing/bytes.h"
#include "pairing/time_format.h"

namespace tally::agent::standalone {

std::filesystem::path standalone_identity_path(const std::filesystem::path& state_dir) {
    return state_dir / "standalone.json";
}

Result<StandaloneIdentity> ensure_standalone_identity(KeyStore& keys, FileSystem& files,
                                                      const std::filesystem::path& state_dir,
                                                      const std::string& fingerprint,
                                                      std::int64_t now) {
    if (!keys.has_key()) {
        if (auto r = keys.create(); !r)
            return make_error("key", "cannot create the device key: " + r.error().message);
    }
    auto key = keys.public_key();
    if (!key)
        return key.error();
    StandaloneIdentity id;
    id.public_key = pairing::base64url_encode(*key);
    id.fingerprint = fingerprint;
    id.created_at = now;

    const auto path = standalone_identity_path(state_dir);
    std::ifstream in(path, std::ios::binary);
    if (in) {
        std::stringstream text;
        text << in.rdbuf();
        auto doc = nlohmann::json::parse(text.str(), nullptr, false);
        if (doc.is_object() && doc.value("public_key", "") == id.public_key) {
            if (auto t = pairing::parse_rfc3339(doc.value("created_at", "")))
                id.created_at = *t;
            id.fingerprint = doc.value("fingerprint", fingerprint);
            return id;
        }
    }
    nlohmann::ordered_json doc;
    doc["public_key"] = id.public_key;
    doc["fingerprint"] = id.fingerprint;
    doc["created_at"] = pairing::format_rfc3339(id.created_at);
    if (auto r = files.write_atomic(path, doc.dump(2) + "\n", true); !r)
        return r.error();
    return id;
}

}  // namespace tally::agent::standalone

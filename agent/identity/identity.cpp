// identity.json (see identity.h).

#include "agent/identity/identity.h"

#include <nlohmann/json.hpp>

#include "pairing/time_format.h"

namespace tally::agent {
namespace {

constexpr std::size_t kMaxIdentityBytes = 64 * 1024;

}  // namespace

std::filesystem::path identity_path(const std::filesystem::path& state_dir) {
    return state_dir / "identity.json";
}

Result<std::optional<Identity>> load_identity(const FileSystem& fs,
                                              const std::filesystem::path& state_dir) {
    auto path = identity_path(state_dir);
    auto text = fs.read_file(path, kMaxIdentityBytes);
    if (!text)
        return text.error();
    if (!*text)
        return std::optional<Identity>{};
    auto doc = nlohmann::json::parse(**text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return make_error("identity", path.string() + " is not valid JSON");
    }
    auto str = [&](const char* key) {
        auto it = doc.find(key);
        return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    Identity id;
    id.device_id = str("device_id");
    id.tenant = str("tenant");
    id.server_url = str("server_url");
    id.ca_file = str("ca_file");
    id.device_type = str("device_type");
    id.fingerprint = str("fingerprint");
    id.pinned_spki_sha256 = str("pinned_spki_sha256");
    id.pairing_code = str("pairing_code");
    if (auto t = pairing::parse_rfc3339(str("retired_at")))
        id.retired_at = *t;
    if (auto t = pairing::parse_rfc3339(str("paired_at")))
        id.paired_at = *t;
    if (id.device_id.empty() || id.server_url.empty()) {
        return make_error("identity", path.string() + " lacks device_id or server_url");
    }
    return std::optional<Identity>(std::move(id));
}

Result<void> save_identity(FileSystem& fs, const std::filesystem::path& state_dir,
                           const Identity& id) {
    nlohmann::json doc = {
        {"device_id", id.device_id},
        {"tenant", id.tenant},
        {"server_url", id.server_url},
        {"ca_file", id.ca_file},
        {"device_type", id.device_type},
        {"fingerprint", id.fingerprint},
        {"paired_at", pairing::format_rfc3339(id.paired_at)},
        {"pinned_spki_sha256", id.pinned_spki_sha256},
        {"pairing_code", id.pairing_code},
    };
    if (id.retired_at > 0)
        doc["retired_at"] = pairing::format_rfc3339(id.retired_at);
    return fs.write_atomic(identity_path(state_dir), doc.dump(2) + "\n", true);
}

}  // namespace tally::agent

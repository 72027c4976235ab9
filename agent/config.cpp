// Agent configuration: a table of key descriptors drives the JSON file, the TALLY_<KEY>
// environment overlay, validation and save_config, so a new key is one table row.

#include "agent/config.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

namespace tally::agent {
namespace {

constexpr std::size_t kMaxConfigBytes = 1 << 20;

using nlohmann::json;

enum class KeyType { string, uint32, uint64, boolean };

struct KeyDef {
    const char* name;
    KeyType type;
    std::function<void(Config&, const json&)> set;
    std::function<json(const Config&)> get;
};

template <class T>
KeyDef def(const char* name, KeyType type, T Config::*member) {
    return KeyDef{name, type, [member](Config& c, const json& v) { c.*member = v.get<T>(); },
                  [member](const Config& c) { return json(c.*member); }};
}

const std::vector<KeyDef>& key_defs() {
    static const std::vector<KeyDef> defs = {
        def("mode", KeyType::string, &Config::mode),
        def("server_url", KeyType::string, &Config::server_url),
        def("ca_file", KeyType::string, &Config::ca_file),
        def("proxy", KeyType::string, &Config::proxy),
        def("proxy_credentials_file", KeyType::string, &Config::proxy_credentials_file),
        def("helper_path", KeyType::string, &Config::helper_path),
        def("pin_server_key", KeyType::boolean, &Config::pin_server_key),
        def("device_type", KeyType::string, &Config::device_type),
        def("role", KeyType::string, &Config::role),
        def("sample_interval_s", KeyType::uint32, &Config::sample_interval_s),
        def("heartbeat_interval_s", KeyType::uint32, &Config::heartbeat_interval_s),
        def("upload_interval_s", KeyType::uint32, &Config::upload_interval_s),
        def("idle_threshold_s", KeyType::uint32, &Config::idle_threshold_s),
        def("batch_max", KeyType::uint32, &Config::batch_max),
        def("spool_max_bytes", KeyType::uint64, &Config::spool_max_bytes),
        def("standalone_retention_days", KeyType::uint32, &Config::standalone_retention_days),
        def("user_identity", KeyType::string, &Config::user_identity),
        def("user_identity_salt", KeyType::string, &Config::user_identity_salt),
        def("utmp_path", KeyType::string, &Config::utmp_path),
        def("dev_dir", KeyType::string, &Config::dev_dir),
        def("machine_id_path", KeyType::string, &Config::machine_id_path),
        def("product_uuid_path", KeyType::string, &Config::product_uuid_path),
        def("uid_min", KeyType::uint32, &Config::uid_min),
        def("log_level", KeyType::string, &Config::log_level),
    };
    return defs;
}

const KeyDef* find_key(const std::string& name) {
    for (const auto& d : key_defs()) {
        if (name == d.name)
            return &d;
    }
    return nullptr;
}

const char* type_expectation(KeyType t) {
    switch (t) {
        case KeyType::string:
            return "a string";
        case KeyType::uint32:
            return "a whole number from 0 to 4294967295";
        case KeyType::uint64:
            return "a whole number from 0 to 18446744073709551615";
        case KeyType::boolean:
            return "true or false";
    }
    return "?";
}

Error bad_value(const std::string& key, const std::string& where, const std::string& expected) {
    return make_error("config", "config key '" + key + "' in " + where + ": expected " + expected);
}

//! Checks a JSON value's type against the key and stores it.
Result<void> apply_json(Config& c, const KeyDef& d, const json& v, const std::string& where) {
    bool ok = false;
    switch (d.type) {
        case KeyType::string:
            ok = v.is_string();
            break;
        case KeyType::boolean:
            ok = v.is_boolean();
            break;
        case KeyType::uint32:
            ok = v.is_number_unsigned() &&
                 v.get<std::uint64_t>() <= std::numeric_limits<std::uint32_t>::max();
            break;
        case KeyType::uint64:
            ok = v.is_number_unsigned();
            break;
    }
    if (!ok)
        return bad_value(d.name, where, type_expectation(d.type));
    d.set(c, v);
    return {};
}

//! Converts an environment string to the key's JSON type.
Result<json> env_to_json(const KeyDef& d, const std::string& text, const std::string& where) {
    switch (d.type) {
        case KeyType::string:
            return json(text);
        case KeyType::boolean: {
            std::string t = text;
            std::transform(t.begin(), t.end(), t.begin(),
                           [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
            if (t == "true" || t == "1" || t == "yes" || t == "on")
                return json(true);
            if (t == "false" || t == "0" || t == "no" || t == "off")
                return json(false);
            return bad_value(d.name, where, type_expectation(d.type));
        }
        case KeyType::uint32:
        case KeyType::uint64: {
            if (text.empty() || !std::all_of(text.begin(), text.end(), [](unsigned char ch) {
                    return std::isdigit(ch) != 0;
                })) {
                return bad_value(d.name, where, type_expectation(d.type));
            }
            errno = 0;
            unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
            if (errno != 0)
                return bad_value(d.name, where, type_expectation(d.type));
            return json(static_cast<std::uint64_t>(v));
        }
    }
    return bad_value(d.name, where, "?");
}

std::string env_name(const std::string& key) {
    std::string n = "TALLY_";
    for (char ch : key)
        n += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return n;
}

Result<void> one_of(const std::string& key, const std::string& value,
                    std::initializer_list<const char*> allowed) {
    std::string list;
    for (const char* a : allowed) {
        if (value == a)
            return {};
        if (!list.empty())
            list += ", ";
        list += a;
    }
    return make_error(
        "config", "config key '" + key + "': expected one of " + list + ", got '" + value + "'");
}

Result<void> validate(const Config& c) {
    for (auto r : {one_of("mode", c.mode, {"paired", "standalone"}),
                   one_of("role", c.role, {"workstation", "server", "kiosk"}),
                   one_of("device_type", c.device_type, {"business", "personal"}),
                   one_of("user_identity", c.user_identity, {"plain", "hashed"}),
                   one_of("log_level", c.log_level, {"error", "warn", "info", "debug"})}) {
        if (!r)
            return r;
    }
    if (!c.server_url.empty() && c.server_url.rfind("https://", 0) != 0) {
        return make_error("config", "config key 'server_url': expected an https:// URL, got '" +
                                        c.server_url + "'");
    }
    const std::pair<const char*, std::uint32_t> at_least_one[] = {
        {"sample_interval_s", c.sample_interval_s},
        {"heartbeat_interval_s", c.heartbeat_interval_s},
        {"upload_interval_s", c.upload_interval_s},
        {"idle_threshold_s", c.idle_threshold_s},
        {"batch_max", c.batch_max},
    };
    for (const auto& [key, value] : at_least_one) {
        if (value < 1) {
            return make_error("config",
                              std::string("config key '") + key + "': expected at least 1");
        }
    }
    if (c.spool_max_bytes < 65536) {
        return make_error("config",
                          "config key 'spool_max_bytes': expected at least 65536 (64 KiB)");
    }
    if (c.user_identity == "hashed" && c.user_identity_salt.empty()) {
        return make_error("config",
                          "config key 'user_identity_salt': required when user_identity is "
                          "'hashed'");
    }
    return {};
}

}  // namespace

const std::vector<std::string>& config_keys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> k;
        for (const auto& d : key_defs())
            k.emplace_back(d.name);
        return k;
    }();
    return keys;
}

std::map<std::string, std::string> process_environment() {
    // Only the variables Tally reads: other TALLY_* names (scripts, tests) are not ours.
    std::map<std::string, std::string> env;
    for (const auto& key : config_keys()) {
        std::string name = env_name(key);
        if (const char* v = std::getenv(name.c_str()))
            env[name] = v;
    }
    return env;
}

Result<Config> load_config(const std::filesystem::path& path, bool must_exist,
                           const std::map<std::string, std::string>& env, const FileSystem* files) {
    Config config;
    const std::string where = path.string();
    std::optional<std::string> text;
    if (!path.empty()) {
        auto read = files ? files->read_file(path, kMaxConfigBytes)
                          : read_file_following_links(path, kMaxConfigBytes);
        if (!read)
            return make_error("config", "cannot read config file: " + read.error().message);
        text = std::move(*read);
    }
    if (!text && must_exist) {
        return make_error("config", "config file " + where + " does not exist");
    }
    if (text) {
        json doc = json::parse(*text, nullptr, false);
        if (doc.is_discarded()) {
            return make_error("config", "config file " + where + " is not valid JSON");
        }
        if (!doc.is_object()) {
            return make_error("config", "config file " + where + " must hold a JSON object");
        }
        for (auto it = doc.begin(); it != doc.end(); ++it) {
            const KeyDef* d = find_key(it.key());
            if (!d) {
                return make_error("config", "unknown config key '" + it.key() + "' in " + where);
            }
            auto r = apply_json(config, *d, it.value(), where);
            if (!r)
                return r.error();
        }
    }
    for (const auto& d : key_defs()) {
        std::string name = env_name(d.name);
        auto it = env.find(name);
        if (it == env.end())
            continue;
        std::string env_where = "environment variable " + name;
        auto v = env_to_json(d, it->second, env_where);
        if (!v)
            return v.error();
        auto r = apply_json(config, d, *v, env_where);
        if (!r)
            return r.error();
    }
    if (auto r = validate(config); !r)
        return r.error();
    return config;
}

bool holds_secrets(const Config& c) {
    // Proxy credentials in the URL ("http://user:pass@host") or the identity salt.
    const auto scheme = c.proxy.find("://");
    const auto authority = c.proxy.substr(scheme == std::string::npos ? 0 : scheme + 3);
    return authority.substr(0, authority.find('/')).find('@') != std::string::npos ||
           !c.user_identity_salt.empty();
}

Result<void> save_config(const Config& config, const std::filesystem::path& path) {
    json doc = json::object();
    for (const auto& d : key_defs())
        doc[d.name] = d.get(config);
    std::filesystem::path tmp = path;
    tmp += ".tmp";
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto old = fs::status(path, ec).permissions();
    const bool private_before =
        !ec && fs::exists(path) &&
        (old & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none;
    {
        fs::remove(tmp, ec);
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        // Owner-only before any byte is written when the file holds a secret or was private.
        if (holds_secrets(config) || private_before) {
            fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write,
                            fs::perm_options::replace, ec);
            if (ec)
                return make_error("io",
                                  "cannot make " + tmp.string() + " owner-only: " + ec.message());
        }
        out << doc.dump(2) << '\n';
        out.flush();
        if (!out)
            return make_error("io", "cannot write config file " + tmp.string());
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec)
        return make_error("io", "cannot replace " + path.string() + ": " + ec.message());
    return {};
}

}  // namespace tally::agent

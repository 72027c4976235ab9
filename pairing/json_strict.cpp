// Strict JSON field access for the pairing decoders (see json_strict.h).

#include "pairing/json_strict.h"

#include <set>
#include <vector>

#include "pairing/time_format.h"

namespace tally::pairing::detail {

using nlohmann::json;

Error bad_request(std::string message) {
    return make_error("bad_request", std::move(message));
}

Result<json> parse_json_strict(std::string_view text, std::string_view what) {
    std::vector<std::set<std::string>> keys;  // one set per open object
    std::string duplicate;
    const json::parser_callback_t cb = [&](int, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::object_start) {
            keys.emplace_back();
        } else if (event == json::parse_event_t::object_end) {
            if (!keys.empty())
                keys.pop_back();
        } else if (event == json::parse_event_t::key && !keys.empty() && parsed.is_string()) {
            if (!keys.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
                duplicate = parsed.get<std::string>();
            }
        }
        return true;
    };
    json value;
    try {
        value = json::parse(text.begin(), text.end(), cb);
    } catch (const json::exception& e) {
        return bad_request(std::string(what) + ": malformed JSON (" + e.what() + ")");
    }
    if (!duplicate.empty()) {
        return bad_request(std::string(what) + ": duplicate field '" + duplicate + "'");
    }
    return value;
}

FieldReader::FieldReader(const json& value, std::string what)
    : value_(value), what_(std::move(what)) {
    if (!value_.is_object())
        error_ = bad_request(what_ + ": expected a JSON object");
}

void FieldReader::fail(std::string_view key, std::string_view problem) {
    if (!error_) {
        error_ = bad_request(what_ + "." + std::string(key) + ": " + std::string(problem));
    }
}

void FieldReader::reject_unknown(std::initializer_list<std::string_view> known) {
    if (!value_.is_object())
        return;
    for (const auto& item : value_.items()) {
        bool found = false;
        for (std::string_view k : known)
            found = found || item.key() == k;
        if (!found)
            fail(item.key(), "unknown field");
    }
}

const json* FieldReader::find(const char* key) {
    if (!value_.is_object())
        return nullptr;
    const auto it = value_.find(key);
    if (it == value_.end()) {
        fail(key, "missing field");
        return nullptr;
    }
    return &*it;
}

std::string FieldReader::str(const char* key, std::size_t min_len, std::size_t max_len) {
    const json* v = find(key);
    if (!v)
        return {};
    if (!v->is_string()) {
        fail(key, "expected a string");
        return {};
    }
    std::string s = v->get<std::string>();
    if (s.size() < min_len || s.size() > max_len) {
        fail(key, "length must be " + std::to_string(min_len) + ".." + std::to_string(max_len) +
                      " bytes (got " + std::to_string(s.size()) + ")");
        return {};
    }
    return s;
}

std::uint64_t FieldReader::u64(const char* key, std::uint64_t min, std::uint64_t max) {
    const json* v = find(key);
    if (!v)
        return 0;
    if (!v->is_number_unsigned()) {
        fail(key, v->is_number_integer() ? "must not be negative" : "expected an integer");
        return 0;
    }
    const auto n = v->get<std::uint64_t>();
    if (n < min || n > max) {
        fail(key, "must be in " + std::to_string(min) + ".." + std::to_string(max) + " (got " +
                      std::to_string(n) + ")");
        return 0;
    }
    return n;
}

std::uint32_t FieldReader::u32(const char* key, std::uint32_t min, std::uint32_t max) {
    return static_cast<std::uint32_t>(u64(key, min, max));
}

bool FieldReader::boolean(const char* key) {
    const json* v = find(key);
    if (!v)
        return false;
    if (!v->is_boolean()) {
        fail(key, "expected true or false");
        return false;
    }
    return v->get<bool>();
}

std::int64_t FieldReader::time(const char* key, bool canonical) {
    const json* v = find(key);
    if (!v)
        return 0;
    if (!v->is_string()) {
        fail(key, "expected an RFC 3339 time string");
        return 0;
    }
    const auto& text = v->get_ref<const std::string&>();
    const auto t = parse_rfc3339(text);
    if (!t) {
        fail(key, "not an RFC 3339 time");
        return 0;
    }
    if (canonical && format_rfc3339(*t) != text) {
        fail(key, "must be UTC with whole seconds, like 2026-11-27T10:05:00Z");
        return 0;
    }
    return *t;
}

const json* FieldReader::array(const char* key, std::size_t max_items) {
    const json* v = find(key);
    if (!v)
        return nullptr;
    if (!v->is_array()) {
        fail(key, "expected an array");
        return nullptr;
    }
    if (v->size() > max_items) {
        fail(key, "at most " + std::to_string(max_items) + " items");
        return nullptr;
    }
    return v;
}

const json* FieldReader::object(const char* key) {
    const json* v = find(key);
    if (!v)
        return nullptr;
    if (!v->is_object()) {
        fail(key, "expected an object");
        return nullptr;
    }
    return v;
}

}  // namespace tally::pairing::detail

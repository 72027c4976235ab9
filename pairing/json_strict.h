#pragma once
// Internal to pairing/: strict JSON parsing for the decoders. Duplicate keys are rejected
// (nlohmann would keep the last silently), and FieldReader checks presence, type and range
// of each field, keeping the first error, which names the field ("heartbeat.users[2].kind").

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "pairing/result.h"

namespace tally::pairing::detail {

//! Parses `text` as one JSON value; rejects syntax errors, invalid UTF-8 and duplicate keys.
Result<nlohmann::json> parse_json_strict(std::string_view text, std::string_view what);

Error bad_request(std::string message);

class FieldReader {
  public:
    //! `what` prefixes every error ("heartbeat", "batch.gaps[0]"). A non-object is an error.
    FieldReader(const nlohmann::json& value, std::string what);

    //! Any key not in `known` is an error (requests); responses skip this call.
    void reject_unknown(std::initializer_list<std::string_view> known);

    std::string str(const char* key, std::size_t min_len, std::size_t max_len);
    std::uint64_t u64(const char* key, std::uint64_t min = 0,
                      std::uint64_t max = std::numeric_limits<std::int64_t>::max());
    std::uint32_t u32(const char* key, std::uint32_t min = 0,
                      std::uint32_t max = std::numeric_limits<std::uint32_t>::max());
    bool boolean(const char* key);
    //! RFC 3339 string → Unix seconds; `canonical` requires exactly format_rfc3339's form.
    std::int64_t time(const char* key, bool canonical);
    //! The array, or nullptr (error recorded) when missing or not an array.
    const nlohmann::json* array(const char* key, std::size_t max_items);
    //! The object, or nullptr (error recorded).
    const nlohmann::json* object(const char* key);
    //! Records an error about `key` unless one is already recorded.
    void fail(std::string_view key, std::string_view problem);

    const std::string& what() const { return what_; }
    bool ok() const { return !error_; }
    const Error& error() const { return *error_; }

  private:
    const nlohmann::json* find(const char* key);

    const nlohmann::json& value_;
    std::string what_;
    std::optional<Error> error_;
};

}  // namespace tally::pairing::detail

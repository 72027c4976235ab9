#pragma once
// IOPlatformUUID (the IOPlatformExpertDevice property kIOPlatformUUIDKey) as a clone-detection
// identifier: validation, normal form and the fingerprint hash. No Apple API: unit-tested on
// Linux.

#include <optional>
#include <string>
#include <string_view>

namespace tally::platform {

//! The UUID in upper case when `text` is one (8-4-4-4-12 hex digits, surrounding blanks
//! ignored); nullopt for anything else, and for the all-zero and all-F UUIDs some virtual
//! machines and broken firmware report (they would make every such machine one clone).
std::optional<std::string> normalize_platform_uuid(std::string_view text);

//! Hex SHA-256 over a labelled form of the normalized UUID; empty when there is none.
std::string platform_uuid_fingerprint(const std::optional<std::string>& normalized_uuid);

}  // namespace tally::platform

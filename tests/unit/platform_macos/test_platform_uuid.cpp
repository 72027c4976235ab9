// IOPlatformUUID handling. The value form is what `ioreg -rd1 -c IOPlatformExpertDevice`
// prints for "IOPlatformUUID" (8-4-4-4-12 upper-case hex, kIOPlatformUUIDKey in IOKitKeys.h);
// the UUIDs below are made up in that form, none belongs to a real Mac.

#include <catch2/catch.hpp>

#include "platform/macos/platform_uuid.h"

using tally::platform::normalize_platform_uuid;
using tally::platform::platform_uuid_fingerprint;

TEST_CASE("IOPlatformUUID: upper-case 8-4-4-4-12 hex, blanks trimmed") {
    CHECK(normalize_platform_uuid("564D1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4B") ==
          "564D1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4B");
    CHECK(normalize_platform_uuid(" 564d1a2b-3c4d-5e6f-7a8b-9c0d1e2f3a4b\n") ==
          "564D1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4B");
}

TEST_CASE("anything else is no identifier") {
    CHECK_FALSE(normalize_platform_uuid(""));
    CHECK_FALSE(normalize_platform_uuid("564D1A2B3C4D5E6F7A8B9C0D1E2F3A4B"));     // no dashes
    CHECK_FALSE(normalize_platform_uuid("564D1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4"));  // short
    CHECK_FALSE(normalize_platform_uuid("564D1A2B-3C4D-5E6F-7A8B_9C0D1E2F3A4B"));
    CHECK_FALSE(normalize_platform_uuid("G64D1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4B"));
    // Placeholders that would make every such machine one clone.
    CHECK_FALSE(normalize_platform_uuid("00000000-0000-0000-0000-000000000000"));
    CHECK_FALSE(normalize_platform_uuid("ffffffff-ffff-ffff-ffff-ffffffffffff"));
}

TEST_CASE("the fingerprint is a labelled SHA-256, the same for any spelling of the UUID") {
    const auto a =
        platform_uuid_fingerprint(normalize_platform_uuid("564D1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4B"));
    const auto b =
        platform_uuid_fingerprint(normalize_platform_uuid("564d1a2b-3c4d-5e6f-7a8b-9c0d1e2f3a4b"));
    const auto c =
        platform_uuid_fingerprint(normalize_platform_uuid("564D1A2B-3C4D-5E6F-7A8B-9C0D1E2F3A4C"));
    CHECK(a.size() == 64);
    CHECK(a == b);
    CHECK(a != c);
    // SHA-256("tally-fingerprint-v1\nio-platform-uuid=564D…3A4B\n"), from `sha256sum`.
    CHECK(a == "e5f744e0157a3b132c4873312aba681ef0d61b5ed910c53673298a2732b15308");
    CHECK(platform_uuid_fingerprint(std::nullopt).empty());
}

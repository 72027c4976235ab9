// platform/windows/windows_machine_fingerprint: the SMBIOS type 1 UUID from a raw 'RSMB'
// table, and the fingerprint under wine (MachineGuid at least).

#include <catch2/catch.hpp>

#include "platform/windows/windows_machine_fingerprint.h"

using namespace tally::platform;

namespace {

//! RawSMBIOSData header + a type 0 structure with one string + a type 1 structure whose
//! UUID field holds the byte order of the SMBIOS spec's own example (DSP0134 §7.2.1:
//! {00112233-4455-6677-8899-AABBCCDDEEFF} is stored as 33 22 11 00 55 44 77 66 88 99 ...).
void put(std::vector<std::uint8_t>& out, std::initializer_list<int> bytes) {
    for (int b : bytes)
        out.push_back(static_cast<std::uint8_t>(b));
}

std::vector<std::uint8_t> table(const std::vector<std::uint8_t>& uuid) {
    std::vector<std::uint8_t> body;
    put(body, {0, 0x18, 0, 0});  // type 0, length 0x18, handle
    body.resize(0x18, 0);
    for (char c : std::string("Vendor"))
        body.push_back(static_cast<std::uint8_t>(c));
    put(body, {0, 0});
    const std::size_t t1 = body.size();
    put(body, {1, 0x1b, 1, 0, 1, 2, 3, 4});  // type 1, length 0x1b
    for (std::uint8_t b : uuid)
        body.push_back(b);
    body.resize(t1 + 0x1b, 0);
    put(body, {0, 0});
    put(body, {127, 4, 2, 0, 0, 0});  // end of table
    std::vector<std::uint8_t> raw;
    const auto n = static_cast<std::uint32_t>(body.size());
    put(raw, {0, 3, 4, 0, int(n & 0xff), int((n >> 8) & 0xff), int((n >> 16) & 0xff),
              int(n >> 24)});
    for (std::uint8_t b : body)
        raw.push_back(b);
    return raw;
}

}  // namespace

TEST_CASE("the SMBIOS system UUID is read in Windows' byte order") {
    auto uuid = smbios_system_uuid(table({0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88,
                                          0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF}));
    REQUIRE(uuid);
    CHECK(*uuid == "00112233-4455-6677-8899-aabbccddeeff");
}

TEST_CASE("unset UUIDs and broken tables give none") {
    CHECK_FALSE(smbios_system_uuid(table(std::vector<std::uint8_t>(16, 0))));
    CHECK_FALSE(smbios_system_uuid(table(std::vector<std::uint8_t>(16, 0xFF))));
    CHECK_FALSE(smbios_system_uuid(std::vector<std::uint8_t>{0, 3, 4}));
    auto cut = table(std::vector<std::uint8_t>(16, 1));
    cut.resize(20);
    CHECK_FALSE(smbios_system_uuid(cut));
}

TEST_CASE("fingerprints are labelled and stable") {
    CHECK(windows_fingerprint_of(std::nullopt, std::nullopt).empty());
    const auto a = windows_fingerprint_of(std::string("guid"), std::string("uuid"));
    CHECK(a.size() == 64);
    CHECK(a == windows_fingerprint_of(std::string("guid"), std::string("uuid")));
    CHECK(a != windows_fingerprint_of(std::string("guiduuid"), std::nullopt));
    WindowsMachineFingerprint live;
    CHECK(live.fingerprint() == live.fingerprint());
    CHECK(live.describe().find("machine-guid") != std::string::npos);
}

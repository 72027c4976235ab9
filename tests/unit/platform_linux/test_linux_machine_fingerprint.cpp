// LinuxMachineFingerprint over identifier files the test writes.

#include <catch2/catch.hpp>
#include <fstream>

#include "platform/linux/linux_machine_fingerprint.h"
#include "temp_dir.h"

using tally::platform::LinuxMachineFingerprint;
using tally::test::TempDir;

namespace {
void write(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p) << text;
}
}  // namespace

TEST_CASE("fingerprint hashes machine-id and product UUID and changes with either") {
    TempDir dir;
    const auto mid = dir / "machine-id";
    const auto uuid = dir / "product_uuid";
    write(mid, "0123456789abcdef0123456789abcdef\n");
    write(uuid, "4C4C4544-0042-3510-8048-B4C04F333532\n");
    LinuxMachineFingerprint fp(mid, uuid);
    const auto a = fp.fingerprint();
    CHECK(a.size() == 64);
    CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(fp.fingerprint() == a);
    CHECK(fp.describe() == "machine-id+dmi-product-uuid");
    CHECK(fp.describe().find("0123456789abcdef") == std::string::npos);

    write(uuid, "4c4c4544-0042-3510-8048-b4c04f333532\n");  // case does not matter
    CHECK(fp.fingerprint() == a);

    write(uuid, "4c4c4544-0042-3510-8048-b4c04f333533\n");  // a cloned disk, other hardware
    CHECK(fp.fingerprint() != a);

    std::filesystem::remove(uuid);  // unreadable as non-root: machine-id alone
    const auto only_mid = fp.fingerprint();
    CHECK(only_mid.size() == 64);
    CHECK(only_mid != a);
    CHECK(fp.describe() == "machine-id");

    std::filesystem::remove(mid);
    CHECK(fp.fingerprint().empty());
    CHECK(fp.describe() == "none");
}

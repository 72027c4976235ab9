// FileKeyStore: a 0600 PEM key that signs verifiably, and refusal of a key others can read.

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "pairing/crypto.h"
#include "platform/posix/helper/file_key_store.h"
#include "temp_dir.h"

using tally::platform::FileKeyStore;
using tally::test::file_mode;
using tally::test::TempDir;

TEST_CASE("FileKeyStore creates a 0600 key whose signatures verify") {
    TempDir dir;
    FileKeyStore keys(dir.path());
    CHECK_FALSE(keys.has_key());
    auto missing = keys.public_key();
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == "no_key");

    REQUIRE(keys.create().ok());
    CHECK(keys.has_key());
    CHECK(file_mode(dir / "device.key") == 0600);
    CHECK(keys.describe() == "file:" + (dir / "device.key").string());

    auto pub = keys.public_key();
    REQUIRE(pub.ok());
    CHECK(pub->size() == tally::pairing::kPublicKeySize);
    const std::string message = "batch bytes";
    auto sig = keys.sign(tally::pairing::as_bytes(message));
    REQUIRE(sig.ok());
    CHECK(sig->size() == tally::pairing::kSignatureSize);
    CHECK(tally::pairing::verify_signature(*pub, tally::pairing::as_bytes(message), *sig));
    CHECK_FALSE(tally::pairing::verify_signature(*pub, tally::pairing::as_bytes("other"), *sig));

    // A second store on the same file sees the same key; create() replaces it.
    FileKeyStore again(dir.path());
    REQUIRE(again.public_key().ok());
    CHECK(*again.public_key() == *pub);
    REQUIRE(keys.create().ok());
    CHECK(*keys.public_key() != *pub);

    REQUIRE(keys.destroy().ok());
    CHECK_FALSE(keys.has_key());
    CHECK(keys.destroy().ok());  // already gone is fine
}

TEST_CASE("FileKeyStore refuses a key file readable by others") {
    TempDir dir;
    FileKeyStore keys(dir.path());
    REQUIRE(keys.create().ok());
    const auto p = dir / "device.key";
    REQUIRE(::chmod(p.c_str(), 0644) == 0);
    auto sig = keys.sign(tally::pairing::as_bytes("x"));
    REQUIRE_FALSE(sig.ok());
    CHECK(sig.error().code == "insecure_permissions");
    CHECK(sig.error().message == "key file " + p.string() + " has mode 0644; expected 0600");
    CHECK_FALSE(keys.public_key().ok());
    REQUIRE(::chmod(p.c_str(), 0600) == 0);
    CHECK(keys.sign(tally::pairing::as_bytes("x")).ok());
}

TEST_CASE("FileKeyStore reports a corrupt key file") {
    TempDir dir;
    FileKeyStore keys(dir.path());
    REQUIRE(keys.create().ok());
    {
        std::FILE* f = std::fopen((dir / "device.key").c_str(), "w");
        REQUIRE(f != nullptr);
        std::fputs("-----BEGIN PRIVATE KEY-----\ngarbage\n", f);
        std::fclose(f);
    }
    auto pub = keys.public_key();
    REQUIRE_FALSE(pub.ok());
    CHECK(pub.error().code == "bad_key");
}

// platform/windows/server_cert_check: ca_file alone decides trust; SPKI hash equals OpenSSL's.

#include <catch2/catch.hpp>

#include "platform/windows/server_cert_check.h"
#include "test_cert_fixtures.h"

using namespace tally::platform;

namespace {

struct Cert {
    PCCERT_CONTEXT ctx = nullptr;
    explicit Cert(const char* pem) {
        DWORD len = 0;
        CryptStringToBinaryA(pem, 0, CRYPT_STRING_BASE64HEADER, nullptr, &len, nullptr, nullptr);
        std::vector<BYTE> der(len);
        CryptStringToBinaryA(pem, 0, CRYPT_STRING_BASE64HEADER, der.data(), &len, nullptr, nullptr);
        ctx = CertCreateCertificateContext(X509_ASN_ENCODING, der.data(), len);
    }
    ~Cert() {
        if (ctx)
            CertFreeCertificateContext(ctx);
    }
};

}  // namespace

TEST_CASE("SPKI SHA-256 of a certificate matches OpenSSL's i2d_PUBKEY hash") {
    Cert leaf(kLeafPem);
    REQUIRE(leaf.ctx);
    CHECK(spki_sha256_hex(leaf.ctx) == kLeafSpki);
    CHECK(spki_sha256_hex(nullptr).empty());
}

TEST_CASE("a leaf verifies against its own CA from ca_file") {
    auto ca = CaBundle::from_pem(kTestCaPem, "ca.pem");
    REQUIRE(ca);
    CHECK((*ca)->size() == 1);
    // Wine 8 and Windows 8+ build the chain with ca_file as the exclusive root store.
    CHECK((*ca)->exclusive_root());
    Cert leaf(kLeafPem);
    REQUIRE(leaf.ctx);
    auto r = (*ca)->verify(leaf.ctx);
    INFO((r ? std::string("ok") : r.error().message));
    CHECK(r);
}

TEST_CASE("a leaf from another CA is refused, naming the reason") {
    auto other = CaBundle::from_pem(kOtherCaPem, "other.pem");
    REQUIRE(other);
    Cert leaf(kLeafPem);
    auto r = (*other)->verify(leaf.ctx);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == "tls");
    CHECK_FALSE((*other)->verify(nullptr));
}

TEST_CASE("bad ca_file contents are named") {
    auto none = CaBundle::from_pem("no certificate here", "x.pem");
    REQUIRE_FALSE(none);
    CHECK(none.error().message.find("x.pem") != std::string::npos);
    auto cut = CaBundle::from_pem("-----BEGIN CERTIFICATE-----\nAAAA", "y.pem");
    REQUIRE_FALSE(cut);
    auto missing = CaBundle::load("Z:\\nonexistent\\dir\\ca.pem");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message.find("cannot be read") != std::string::npos);
}

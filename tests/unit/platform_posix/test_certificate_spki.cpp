// certificate_spki (the helper's SPKI from CURLINFO_CERTINFO's PEM, without a TLS library)
// against the openssl CLI: the same SHA-256 of the SubjectPublicKeyInfo for EC and RSA
// certificates, v1 (no version field) and v3, and clear refusals of anything else.

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "platform/posix/helper/certificate_spki.h"
#include "temp_dir.h"
#include "tls_test_server.h"

using tally::platform::certificate_der_from_pem;
using tally::platform::certificate_spki;
using tally::platform::certificate_spki_sha256_hex;
using tally::test::run_command;
using tally::test::TempDir;

namespace {

std::string read_text(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

//! The openssl CLI's hex SHA-256 of the certificate's SPKI.
std::string openssl_spki_sha256(const std::filesystem::path& pem) {
    auto out = run_command("openssl x509 -in '" + pem.string() +
                           "' -noout -pubkey | openssl pkey -pubin -outform DER"
                           " | openssl dgst -sha256 -hex");
    out = out.substr(out.rfind(' ') + 1);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
        out.pop_back();
    return out;
}

//! A self-signed certificate made by the openssl CLI with `key_options`; `v1` leaves out
//! every extension, so the certificate has no version field (RFC 5280: v1 is the default).
std::filesystem::path make_cert(const TempDir& dir, const std::string& name,
                                const std::string& key_options, bool v1) {
    const auto d = dir.path().string();
    run_command("cd '" + d + "' && openssl req -new " + key_options + " -nodes -subj /CN=" + name +
                " -keyout " + name + ".key -out " + name + ".csr 2>/dev/null");
    if (!v1) {
        std::ofstream(dir / "v3.ext") << "basicConstraints=CA:FALSE\n";
    }
    run_command("cd '" + d + "' && openssl x509 -req -in " + name + ".csr -signkey " + name +
                ".key -days 2 -out " + name + ".pem" + (v1 ? "" : " -extfile v3.ext") +
                " 2>/dev/null");
    const auto text = run_command("openssl x509 -noout -text -in '" + d + "/" + name + ".pem'");
    REQUIRE(text.find(v1 ? "Version: 1" : "Version: 3") != std::string::npos);
    return dir / (name + ".pem");
}

}  // namespace

TEST_CASE("certificate SPKI: the openssl CLI's hash, for EC and RSA, v1 and v3") {
    TempDir dir;
    const auto ec = make_cert(dir, "ec", "-newkey ec -pkeyopt ec_paramgen_curve:P-256", false);
    const auto rsa = make_cert(dir, "rsa", "-newkey rsa:2048", true);
    for (const auto& pem : {ec, rsa}) {
        INFO(pem.filename().string());
        const auto hex = certificate_spki_sha256_hex(read_text(pem));
        CHECK(hex.size() == 64);
        CHECK(hex == openssl_spki_sha256(pem));
    }
}

TEST_CASE("certificate SPKI: a TLS server's certificate as libcurl's certinfo shows it") {
    tally::test::TlsTestServer server;
    // The CA next to the server certificate: certinfo's "Cert:" value is the PEM text alone.
    const auto ca = server.ca_file();
    CHECK(certificate_spki_sha256_hex(read_text(ca)) == openssl_spki_sha256(ca));
}

TEST_CASE("certificate SPKI: anything but a certificate is refused") {
    CHECK(certificate_spki_sha256_hex("").empty());
    CHECK(certificate_spki_sha256_hex("-----BEGIN CERTIFICATE-----\n!!!\n"
                                      "-----END CERTIFICATE-----\n")
              .empty());
    CHECK_FALSE(certificate_der_from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n").has_value());
    const std::vector<std::uint8_t> not_der = {0x30, 0x82, 0x01};  // length runs past the end
    CHECK_FALSE(certificate_spki(not_der).has_value());
    const std::vector<std::uint8_t> empty_seq = {0x30, 0x00};
    CHECK_FALSE(certificate_spki(empty_seq).has_value());
    const std::vector<std::uint8_t> indefinite = {0x30, 0x80, 0x00, 0x00};
    CHECK_FALSE(certificate_spki(indefinite).has_value());

    TempDir dir;
    const auto ec = make_cert(dir, "ec", "-newkey ec -pkeyopt ec_paramgen_curve:P-256", false);
    auto der = certificate_der_from_pem(read_text(ec));
    REQUIRE(der.has_value());
    REQUIRE(certificate_spki(*der).has_value());
    auto truncated = *der;
    truncated.pop_back();  // the outer length no longer matches
    CHECK_FALSE(certificate_spki(truncated).has_value());
    auto trailing = *der;
    trailing.push_back(0);  // bytes after the certificate
    CHECK_FALSE(certificate_spki(trailing).has_value());
}

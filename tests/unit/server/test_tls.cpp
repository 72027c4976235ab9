// The local CA: files, permissions, and a server certificate that verifies for loopback.

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <ctime>

#include "server/tls/local_ca.h"
#include "server_fixture.h"

using namespace tally::server;

namespace {

X509* read_cert(const std::filesystem::path& path) {
    FILE* f = std::fopen(path.c_str(), "r");
    REQUIRE(f);
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    REQUIRE(cert);
    return cert;
}

}  // namespace

TEST_CASE("the local CA signs a loopback server certificate with private keys 0600", "[tls]") {
    test::TempDir dir;
    const auto tls = dir.path() / "tls";
    CHECK_FALSE(local_tls_present(tls));
    auto files = create_local_tls(tls, std::time(nullptr));
    REQUIRE(files.ok());
    CHECK(local_tls_present(tls));
    for (const char* key : {"ca.key", "server.key"}) {
        struct stat st {};
        REQUIRE(::stat((tls / key).c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
    }
    // Never overwrites existing material.
    CHECK_FALSE(create_local_tls(tls, std::time(nullptr)).ok());

    X509* ca = read_cert(files->ca_cert);
    X509* leaf = read_cert(files->server_cert);
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, ca);
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, leaf, nullptr);
    X509_VERIFY_PARAM_set_purpose(X509_STORE_CTX_get0_param(ctx), X509_PURPOSE_SSL_SERVER);
    const int verified = X509_verify_cert(ctx);
    INFO(X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
    CHECK(verified == 1);
    CHECK(X509_check_ip_asc(leaf, "127.0.0.1", 0) == 1);
    CHECK(X509_check_ip_asc(leaf, "::1", 0) == 1);
    CHECK(X509_check_host(leaf, "localhost", 0, 0, nullptr) == 1);
    CHECK(X509_check_host(leaf, "example.com", 0, 0, nullptr) == 0);
    CHECK(X509_check_ca(ca) >= 1);
    CHECK(X509_check_ca(leaf) == 0);
    // Valid for ten years from now.
    const time_t nine_years = std::time(nullptr) + 9L * 365 * 86400;
    CHECK(X509_cmp_time(X509_get0_notAfter(ca), const_cast<time_t*>(&nine_years)) > 0);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    X509_free(leaf);
    X509_free(ca);
}

// Local CA + server certificate with OpenSSL 3 (see local_ca.h).

#include "server/tls/local_ca.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <span>

namespace tally::server {
namespace {

using PKey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

constexpr std::int64_t kTenYears = 10LL * 365 * 86400 + 3 * 86400;

Error ssl_error(const std::string& what) {
    return make_error("tls", what + " failed (OpenSSL)");
}

Result<void> add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (!ext) {
        return ssl_error(std::string("extension ") + value);
    }
    const int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? Result<void>() : ssl_error("X509_add_ext");
}

Result<Cert> make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key,
                       std::int64_t now, std::int64_t lifetime) {
    Cert cert(X509_new(), X509_free);
    if (!cert) {
        return ssl_error("X509_new");
    }
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) {
        return ssl_error("RAND_bytes");
    }
    serial[0] &= 0x7f;  // positive
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    // Backdated an hour so a client clock slightly behind still accepts it.
    X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, -3600, &now);
    X509_time_adj_ex(X509_getm_notAfter(cert.get()), 0, static_cast<long>(lifetime), &now);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("Tally local"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                               -1, -1, 0);
    X509* signer = issuer ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
    const bool is_ca = issuer == nullptr;
    const std::pair<int, const char*> exts_ca[] = {
        {NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
        {NID_key_usage, "critical,keyCertSign,cRLSign"},
        {NID_subject_key_identifier, "hash"},
    };
    const std::pair<int, const char*> exts_leaf[] = {
        {NID_basic_constraints, "critical,CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature"},
        {NID_ext_key_usage, "serverAuth"},
        {NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost"},
        {NID_subject_key_identifier, "hash"},
        {NID_authority_key_identifier, "keyid:always"},
    };
    for (const auto& [nid, value] : is_ca
                                        ? std::span<const std::pair<int, const char*>>(exts_ca)
                                        : std::span<const std::pair<int, const char*>>(exts_leaf)) {
        if (auto r = add_ext(cert.get(), signer, nid, value); !r) {
            return r.error();
        }
    }
    if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) {
        return ssl_error("X509_sign");
    }
    return cert;
}

Result<void> write_file(const std::filesystem::path& path, const std::string& data, int mode) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        return make_error("io", "cannot create " + path.string() + ": " + std::strerror(errno));
    }
    std::size_t done = 0;
    while (done < data.size()) {
        const auto n = ::write(fd, data.data() + done, data.size() - done);
        if (n <= 0) {
            ::close(fd);
            return make_error("io", "cannot write " + path.string());
        }
        done += static_cast<std::size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) {
        return make_error("io", "cannot flush " + path.string());
    }
    return {};
}

std::string pem_of(const std::function<int(BIO*)>& writer) {
    Bio bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio || writer(bio.get()) != 1) {
        return {};
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(size));
}

std::string key_pem(EVP_PKEY* key) {
    return pem_of([key](BIO* b) {
        return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
    });
}

std::string cert_pem(X509* cert) {
    return pem_of([cert](BIO* b) { return PEM_write_bio_X509(b, cert); });
}

}  // namespace

TlsFiles local_tls_files(const std::filesystem::path& dir) {
    return {dir / "ca.pem", dir / "server.pem", dir / "server.key"};
}

bool local_tls_present(const std::filesystem::path& dir) {
    const auto f = local_tls_files(dir);
    return std::filesystem::exists(f.server_cert) && std::filesystem::exists(f.server_key);
}

Result<TlsFiles> create_local_tls(const std::filesystem::path& dir, std::int64_t now) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        return make_error("io", "cannot create " + dir.string() + ": " + ec.message());
    }
    PKey ca_key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    PKey server_key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    if (!ca_key || !server_key) {
        return ssl_error("EC P-256 key generation");
    }
    auto ca = make_cert(ca_key.get(), "Tally local CA", nullptr, ca_key.get(), now, kTenYears);
    if (!ca) {
        return ca.error();
    }
    auto leaf = make_cert(server_key.get(), "localhost", ca->get(), ca_key.get(), now, kTenYears);
    if (!leaf) {
        return leaf.error();
    }
    const auto files = local_tls_files(dir);
    const std::pair<std::filesystem::path, std::string> outputs[] = {
        {dir / "ca.key", key_pem(ca_key.get())},
        {files.server_key, key_pem(server_key.get())},
        {files.ca_cert, cert_pem(ca->get())},
        {files.server_cert, cert_pem(leaf->get())},
    };
    for (const auto& [path, pem] : outputs) {
        if (pem.empty()) {
            return ssl_error("PEM encoding of " + path.string());
        }
        const bool secret = path.extension() == ".key";
        if (auto r = write_file(path, pem, secret ? 0600 : 0644); !r) {
            return r.error();
        }
    }
    return files;
}

}  // namespace tally::server

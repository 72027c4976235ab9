// ca_file chain check and SPKI hash on CryptoAPI (see server_cert_check.h).

#include "platform/windows/server_cert_check.h"

#include <fstream>
#include <sstream>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "platform/windows/win_error.h"

namespace tally::platform {
namespace {

constexpr DWORD kEncoding = X509_ASN_ENCODING | PKCS_7_ASN_ENCODING;

//! Chain errors that do not matter here: the root is our own (not in the Windows store),
//! and revocation is not checked (ca_file users run private CAs without CRLs).
constexpr DWORD kIgnored = CERT_TRUST_IS_UNTRUSTED_ROOT | CERT_TRUST_REVOCATION_STATUS_UNKNOWN |
                           CERT_TRUST_IS_OFFLINE_REVOCATION;

//! A chain engine whose only trust anchors are `roots` (CERT_CHAIN_ENGINE_CONFIG::
//! hExclusiveRoot: Windows 8 / Server 2012 and later, and wine 8); null where unsupported.
HCERTCHAINENGINE exclusive_root_engine(HCERTSTORE roots) {
    CERT_CHAIN_ENGINE_CONFIG config{};
    config.cbSize = sizeof config;
    config.hExclusiveRoot = roots;
    HCERTCHAINENGINE engine = nullptr;
    if (!CertCreateCertificateChainEngine(&config, &engine))
        return nullptr;
    return engine;
}

std::string chain_problem(DWORD status) {
    if (status & CERT_TRUST_IS_NOT_TIME_VALID)
        return "a certificate in the chain is expired or not yet valid";
    if (status & CERT_TRUST_IS_NOT_SIGNATURE_VALID)
        return "a signature in the chain does not verify";
    if (status & CERT_TRUST_IS_PARTIAL_CHAIN)
        return "the chain does not reach a root from ca_file";
    if (status & CERT_TRUST_IS_REVOKED)
        return "a certificate in the chain is revoked";
    if (status & CERT_TRUST_IS_NOT_VALID_FOR_USAGE)
        return "a certificate is not valid for server authentication";
    return "the chain does not verify (status 0x" +
           pairing::hex_encode(pairing::Bytes{
               static_cast<std::uint8_t>(status >> 24), static_cast<std::uint8_t>(status >> 16),
               static_cast<std::uint8_t>(status >> 8), static_cast<std::uint8_t>(status)}) +
           ")";
}

}  // namespace

std::string spki_sha256_hex(PCCERT_CONTEXT cert) {
    if (cert == nullptr)
        return {};
    BYTE* der = nullptr;
    DWORD len = 0;
    if (!CryptEncodeObjectEx(kEncoding, X509_PUBLIC_KEY_INFO,
                             &cert->pCertInfo->SubjectPublicKeyInfo, CRYPT_ENCODE_ALLOC_FLAG,
                             nullptr, &der, &len))
        return {};
    std::string hex = pairing::hex_encode(pairing::sha256(std::span<const std::uint8_t>(der, len)));
    LocalFree(der);
    return hex;
}

Result<std::shared_ptr<CaBundle>> CaBundle::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error("bad_config", "ca_file " + path + ": cannot be read");
    std::stringstream text;
    text << in.rdbuf();
    return from_pem(text.str(), path);
}

Result<std::shared_ptr<CaBundle>> CaBundle::from_pem(const std::string& pem,
                                                     const std::string& name) {
    std::shared_ptr<CaBundle> b(new CaBundle());
    b->store_ = CertOpenStore(CERT_STORE_PROV_MEMORY, 0, 0, 0, nullptr);
    if (b->store_ == nullptr)
        return make_error("io", last_error("open a memory certificate store"));
    const std::string begin = "-----BEGIN CERTIFICATE-----", end = "-----END CERTIFICATE-----";
    for (std::size_t at = pem.find(begin); at != std::string::npos; at = pem.find(begin, at)) {
        const std::size_t stop = pem.find(end, at);
        if (stop == std::string::npos)
            return make_error("bad_config", "ca_file " + name + ": unterminated certificate");
        const std::string block = pem.substr(at, stop + end.size() - at);
        DWORD len = 0;
        if (!CryptStringToBinaryA(block.c_str(), static_cast<DWORD>(block.size()),
                                  CRYPT_STRING_BASE64HEADER, nullptr, &len, nullptr, nullptr))
            return make_error("bad_config", "ca_file " + name + ": a certificate is not base64");
        std::vector<BYTE> der(len);
        CryptStringToBinaryA(block.c_str(), static_cast<DWORD>(block.size()),
                             CRYPT_STRING_BASE64HEADER, der.data(), &len, nullptr, nullptr);
        if (!CertAddEncodedCertificateToStore(b->store_, kEncoding, der.data(), len,
                                              CERT_STORE_ADD_REPLACE_EXISTING, nullptr))
            return make_error("bad_config", "ca_file " + name + ": not a DER certificate");
        ++b->count_;
        at = stop;
    }
    if (b->count_ == 0)
        return make_error("bad_config", "ca_file " + name + ": no PEM certificate in it");
    b->engine_ = exclusive_root_engine(b->store_);
    return b;
}

CaBundle::~CaBundle() {
    if (engine_ != nullptr)
        CertFreeCertificateChainEngine(engine_);
    if (store_ != nullptr)
        CertCloseStore(store_, 0);
}

Result<void> CaBundle::verify(PCCERT_CONTEXT cert) const {
    if (cert == nullptr)
        return make_error("tls", "the server sent no certificate");
    // Intermediates: what the server sent (cert->hCertStore) plus ca_file.
    HCERTSTORE extra = CertOpenStore(CERT_STORE_PROV_COLLECTION, 0, 0, 0, nullptr);
    if (extra == nullptr)
        return make_error("tls", last_error("open a collection store"));
    CertAddStoreToCollection(extra, store_, 0, 0);
    if (cert->hCertStore != nullptr)
        CertAddStoreToCollection(extra, cert->hCertStore, 0, 0);
    CERT_CHAIN_PARA para{};
    para.cbSize = sizeof para;
    LPSTR usage[] = {const_cast<LPSTR>(szOID_PKIX_KP_SERVER_AUTH)};
    para.RequestedUsage.dwType = USAGE_MATCH_TYPE_AND;
    para.RequestedUsage.Usage.cUsageIdentifier = 1;
    para.RequestedUsage.Usage.rgpszUsageIdentifier = usage;
    PCCERT_CHAIN_CONTEXT chain = nullptr;
    const BOOL built =
        CertGetCertificateChain(engine_, cert, nullptr, extra, &para, 0, nullptr, &chain);
    CertCloseStore(extra, 0);
    if (!built || chain == nullptr || chain->cChain == 0)
        return make_error("tls", last_error("build the server's certificate chain"));
    Result<void> verdict;
    const DWORD status = chain->TrustStatus.dwErrorStatus & ~kIgnored;
    const CERT_SIMPLE_CHAIN* simple = chain->rgpChain[0];
    PCCERT_CONTEXT root = simple->rgpElement[simple->cElement - 1]->pCertContext;
    if (status != 0) {
        verdict = make_error("tls", "server certificate: " + chain_problem(status));
    } else if (PCCERT_CONTEXT found = CertFindCertificateInStore(
                   store_, kEncoding, 0, CERT_FIND_EXISTING, root, nullptr)) {
        CertFreeCertificateContext(found);
    } else {
        verdict = make_error("tls", "server certificate does not chain to a root in ca_file");
    }
    CertFreeCertificateChain(chain);
    return verdict;
}

}  // namespace tally::platform

#pragma once
// The checks WinHTTP cannot do for us, on the server certificate it received: a chain that
// ends at a root from `ca_file` (and nowhere else) when ca_file is set, and the SPKI pin.
// Runs at WINHTTP_CALLBACK_STATUS_SENDING_REQUEST, before any request byte is sent.

#include <windows.h>

#include <wincrypt.h>

#include <memory>
#include <string>

#include "pairing/result.h"

namespace tally::platform {

//! Hex SHA-256 of the certificate's DER SubjectPublicKeyInfo (same as OpenSSL i2d_PUBKEY).
std::string spki_sha256_hex(PCCERT_CONTEXT cert);

//! The certificates of a PEM file in a memory store.
class CaBundle {
  public:
    //! Error naming the file when it cannot be read or holds no certificate.
    static Result<std::shared_ptr<CaBundle>> load(const std::string& path);
    static Result<std::shared_ptr<CaBundle>> from_pem(const std::string& pem,
                                                      const std::string& name);
    ~CaBundle();
    CaBundle(const CaBundle&) = delete;
    CaBundle& operator=(const CaBundle&) = delete;

    //! ok when `cert` (with the intermediates WinHTTP received in its store) chains to one
    //! of these roots, with valid signatures and dates; else an error naming the reason.
    //! The chain is built by an engine whose exclusive roots are these certificates where
    //! Windows has one (8 and later), else by the default engine; either way the chain's
    //! root must be one of these certificates.
    Result<void> verify(PCCERT_CONTEXT cert) const;
    std::size_t size() const { return count_; }
    //! True when chains are built with the exclusive-root engine.
    bool exclusive_root() const { return engine_ != nullptr; }

  private:
    CaBundle() = default;
    HCERTSTORE store_ = nullptr;
    HCERTCHAINENGINE engine_ = nullptr;
    std::size_t count_ = 0;
};

}  // namespace tally::platform

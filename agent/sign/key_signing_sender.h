#pragma once
// SignedSender in-process: a KeyStore signs, an HttpTransport sends. What platforms without a
// helper process use (Windows: CNG key + WinHTTP), and the core's tests with fakes.

#include <mutex>

#include "agent/interfaces/http_transport.h"
#include "agent/interfaces/key_store.h"
#include "agent/interfaces/signed_sender.h"

namespace tally::agent {

class KeySigningSender : public SignedSender {
  public:
    KeySigningSender(KeyStore& keys, HttpTransport& transport);
    void configure(const TransportOptions& options) override;
    Result<SignedResult> send(const SignedRequest& request) override;

  private:
    std::mutex mutex_;
    KeyStore& keys_;
    HttpTransport& transport_;
};

}  // namespace tally::agent

#pragma once
// agent::HttpTransport of the resident agent: each send() runs in the crypto helper process
// (crypto_helper.h), which speaks TLS with TlsTransport and signs with the same helper just
// before; the helper ends after the answer. The TLS session comes back with the answer and
// goes to the next helper, so uploads keep resuming TLS 1.3 sessions.

#include <memory>
#include <mutex>
#include <string>

#include "agent/interfaces/http_transport.h"
#include "platform/linux/crypto_helper_client.h"

namespace tally::platform {

class HelperTransport : public agent::HttpTransport {
  public:
    explicit HelperTransport(std::shared_ptr<CryptoHelperClient> helper);
    void configure(const agent::TransportOptions& options) override;
    agent::TransportResult send(const agent::HttpRequest& request) override;

  private:
    std::shared_ptr<CryptoHelperClient> helper_;
    std::mutex mutex_;
    agent::TransportOptions options_;
    std::string session_;  //!< the resumption secret: memory only
};

}  // namespace tally::platform

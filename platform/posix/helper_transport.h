#pragma once
// agent::HttpTransport of the resident agent: each send() runs in tally-agent-helper
// (platform/posix/helper/), which does the HTTPS exchange with libcurl after signing the
// body with the same helper just before; the helper ends after the answer. The wait has a
// deadline (the request's total timeout plus the helper's start), and the uploader calls
// send() off the event loop, so sampling never waits on the network. The helper keeps the
// TLS session in the state dir, so uploads resume TLS sessions across helper runs.

#include <memory>
#include <mutex>

#include "agent/interfaces/http_transport.h"
#include "platform/posix/crypto_helper_client.h"

namespace tally::platform {

class HelperTransport : public agent::HttpTransport {
  public:
    explicit HelperTransport(std::shared_ptr<CryptoHelperClient> helper);
    void configure(const agent::TransportOptions& options) override;
    agent::TransportResult send(const agent::HttpRequest& request) override;
    //! Sends whose TLS handshake resumed the stored session (tests, benchmarks).
    unsigned resumed() const;

  private:
    std::shared_ptr<CryptoHelperClient> helper_;
    mutable std::mutex mutex_;
    agent::TransportOptions options_;
    unsigned resumed_ = 0;
};

}  // namespace tally::platform

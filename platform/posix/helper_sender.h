#pragma once
// agent::SignedSender of the resident agent: each send() is one exchange with one run of
// tally-agent-helper (platform/posix/helper/), which loads (or, pairing, makes) the device
// key, signs the body, does the HTTPS exchange with libcurl and answers; the helper ends
// after the answer. The wait has a deadline (the request's total timeout plus the helper's
// start), and the core calls send() off the event loop, so sampling never waits on the
// network. The helper keeps the TLS session in the state dir, so uploads resume TLS
// sessions across helper runs.

#include <memory>
#include <mutex>

#include "agent/interfaces/signed_sender.h"
#include "platform/posix/crypto_helper_client.h"

namespace tally::platform {

class HelperSender : public agent::SignedSender {
  public:
    explicit HelperSender(std::shared_ptr<CryptoHelperClient> helper);
    void configure(const agent::TransportOptions& options) override;
    Result<agent::SignedResult> send(const agent::SignedRequest& request) override;
    //! Exchanges whose TLS handshake resumed the stored session (tests, benchmarks).
    unsigned resumed() const;

  private:
    std::shared_ptr<CryptoHelperClient> helper_;
    mutable std::mutex mutex_;
    agent::TransportOptions options_;
    unsigned resumed_ = 0;
};

}  // namespace tally::platform

// HelperSender: one signed exchange in tally-agent-helper (see helper_sender.h).

#include "platform/posix/helper_sender.h"

#include "platform/posix/crypto_helper_protocol.h"

namespace tally::platform {

using agent::TransportError;

namespace {

//! Beyond the request's own total timeout: starting the helper and loading or making the key.
constexpr std::chrono::seconds kStartAllowance{15};

//! What the helper's {"err", …} means: the key's failures stay errors (nothing was sent);
//! the rest are failed exchanges the caller retries like any network failure.
Result<agent::SignedResult> failed_exchange(const Error& e) {
    if (e.code == "key" || e.code == "bad_request")
        return e;
    agent::SignedResult failed;
    auto& t = failed.transport;
    t.error = e.code == "timeout"                 ? TransportError::timeout
              : e.code == "bad_proxy_credentials" ? TransportError::local_config
                                                  : TransportError::other;
    t.message = "tally-agent-helper: " + e.message;
    return failed;
}

}  // namespace

HelperSender::HelperSender(std::shared_ptr<CryptoHelperClient> helper)
    : helper_(std::move(helper)) {}

void HelperSender::configure(const agent::TransportOptions& options) {
    std::lock_guard lock(mutex_);
    options_ = options;
}

Result<agent::SignedResult> HelperSender::send(const agent::SignedRequest& request) {
    std::lock_guard lock(mutex_);
    HelperSend s{options_, request};
    auto answer = helper_->call(encode_send(s), options_.total_timeout + kStartAllowance);
    helper_->release();
    if (!answer)
        return failed_exchange(answer.error());
    auto sent = decode_sent(*answer);
    if (!sent)
        return failed_exchange(sent.error());
    if (sent->resumed)
        ++resumed_;
    return std::move(sent->result);
}

unsigned HelperSender::resumed() const {
    std::lock_guard lock(mutex_);
    return resumed_;
}

}  // namespace tally::platform

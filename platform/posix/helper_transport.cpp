// HelperTransport: HTTPS in tally-agent-helper (see helper_transport.h).

#include "platform/posix/helper_transport.h"

#include "platform/posix/crypto_helper_protocol.h"

namespace tally::platform {

using agent::TransportError;
using agent::TransportResult;

namespace {

//! Beyond the request's own total timeout: starting the helper and loading the key.
constexpr std::chrono::seconds kStartAllowance{15};

}  // namespace

HelperTransport::HelperTransport(std::shared_ptr<CryptoHelperClient> helper)
    : helper_(std::move(helper)) {}

void HelperTransport::configure(const agent::TransportOptions& options) {
    std::lock_guard lock(mutex_);
    options_ = options;
}

TransportResult HelperTransport::send(const agent::HttpRequest& request) {
    std::lock_guard lock(mutex_);
    HelperSend s{options_, request};
    auto answer = helper_->call(encode_send(s), options_.total_timeout + kStartAllowance);
    helper_->release();
    TransportResult failed;
    failed.error = TransportError::other;
    if (!answer) {
        const auto& code = answer.error().code;
        failed.error = code == "timeout"                 ? TransportError::timeout
                       : code == "bad_proxy_credentials" ? TransportError::local_config
                                                         : TransportError::other;
        failed.message = "tally-agent-helper: " + answer.error().message;
        return failed;
    }
    auto sent = decode_sent(*answer);
    if (!sent) {
        failed.message = "tally-agent-helper: " + sent.error().message;
        return failed;
    }
    if (sent->resumed)
        ++resumed_;
    return std::move(sent->result);
}

unsigned HelperTransport::resumed() const {
    std::lock_guard lock(mutex_);
    return resumed_;
}

}  // namespace tally::platform

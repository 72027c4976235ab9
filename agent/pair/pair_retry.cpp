// Pairing retries within --wait (see pair_retry.h).

#include "agent/pair/pair_retry.h"

#include <thread>

#include "agent/log.h"
#include "agent/upload/backoff.h"

namespace tally::agent {
namespace {

// Short: a mass rollout wants each agent paired soon after the server has room again.
constexpr std::chrono::seconds kBackoffBase{1};
constexpr std::chrono::seconds kBackoffCap{30};

}  // namespace

PairAttemptVerdict classify_pair_attempt(const TransportResult& result) {
    PairAttemptVerdict v;
    switch (result.error) {
        case TransportError::none:
            break;
        case TransportError::resolve:
        case TransportError::connect:
        case TransportError::timeout:
        case TransportError::other:
            v.transient = true;  // the server may be starting, restarting or saturated
            return v;
        case TransportError::tls:  // a certificate that did not verify will not start to
        case TransportError::bad_url:
        case TransportError::response_too_large:
        case TransportError::local_config:  // a file this device must fix: waiting won't help
            return v;
    }
    const int status = result.response.status;
    if (status == 429 || status == 503) {
        v.transient = true;
        if (const auto ra = result.response.header("retry-after")) {
            v.retry_after = parse_retry_after(*ra);
        }
    }
    return v;
}

Result<TransportResult> send_pair_with_wait(const std::function<Result<TransportResult>()>& attempt,
                                            const PairWait& wait, int& attempts,
                                            std::chrono::milliseconds& waited) {
    const auto now = wait.now ? wait.now : [] { return std::chrono::steady_clock::now(); };
    const auto sleep = wait.sleep ? wait.sleep : [](std::chrono::milliseconds d) {
        std::this_thread::sleep_for(d);
    };
    const auto deadline = now() + wait.wait;
    Backoff backoff(kBackoffBase, kBackoffCap, wait.random01);
    attempts = 0;
    waited = std::chrono::milliseconds(0);
    for (;;) {
        auto sent = attempt();
        if (!sent) {
            return sent.error();
        }
        TransportResult result = std::move(*sent);
        ++attempts;
        const auto verdict = classify_pair_attempt(result);
        if (!verdict.transient) {
            return result;
        }
        auto delay = backoff.next_delay(verdict.retry_after);
        if (verdict.retry_after && *verdict.retry_after > backoff.cap()) {
            delay = *verdict.retry_after;  // the server's word, even past our backoff cap
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now());
        if (delay > left) {
            return result;  // retrying before the server said it would be ready is pointless
        }
        log_info("pair", "pairing not done yet (" +
                             (result.error == TransportError::none
                                  ? "HTTP " + std::to_string(result.response.status)
                                  : std::string(to_string(result.error))) +
                             "); trying again in " + std::to_string(delay.count()) + " ms");
        sleep(delay);
        waited += delay;
    }
}

}  // namespace tally::agent

#pragma once
// `tally-agent pair --wait SECONDS`: an RMM tool installing hundreds of agents behind one
// address meets a busy or rate-limiting server. Within the wait, 429 and 503 are retried after
// their Retry-After (backoff when absent) and connection failures with backoff; any other
// answer — the pairing itself, or a definitive refusal (invalid, expired or exhausted code,
// tenant inactive, TLS verification, a bad URL) — ends the wait at once.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "agent/interfaces/http_transport.h"
#include "pairing/result.h"

namespace tally::agent {

struct PairWait {
    std::chrono::seconds wait{0};  //!< 0: one attempt (what `pair` gets is --wait, default 300)
    //! Injectable for tests; empty: std::this_thread::sleep_for / steady_clock / random.
    std::function<void(std::chrono::milliseconds)> sleep;
    std::function<std::chrono::steady_clock::time_point()> now;
    std::function<double()> random01;
};

inline constexpr std::chrono::seconds kPairWaitDefault{300};

//! How one attempt ended, for the retry loop.
struct PairAttemptVerdict {
    bool transient = false;                           //!< worth another attempt within the wait
    std::optional<std::chrono::seconds> retry_after;  //!< the server's Retry-After, if given
};
PairAttemptVerdict classify_pair_attempt(const TransportResult& result);

//! Runs `attempt()` (one request, fresh each time: new nonce and time) until an answer that
//! is not transient or until `wait` has passed; returns the last result, or the error of
//! `attempt` (nothing was sent). `attempts` is set to the number of requests sent, `waited`
//! to the time spent waiting between them.
Result<TransportResult> send_pair_with_wait(const std::function<Result<TransportResult>()>& attempt,
                                            const PairWait& wait, int& attempts,
                                            std::chrono::milliseconds& waited);

}  // namespace tally::agent

#pragma once
// Who may try to pair, per source address (DESIGN.md §4, issue 14). Two limits:
// * failed attempts (wrong, expired or used-up codes, bad signatures): a code guesser gets
//   `failure_burst` tries, then one every 1/`failure_per_second` s;
// * valid pairings: only a generous ceiling, so an RMM tool pairing 500 devices behind one
//   office NAT within a minute is never refused (burst 1000, then 10 per second).
// admit() runs before the body is read (a refused guess costs neither a signature check nor
// SQL); record() after the pairing use case answered. admit() only looks at the buckets, so
// concurrent guesses can overshoot the failure burst by at most the number of requests in
// flight (the front's worker bound). Independent of the HTTP library. Thread-safe.

#include <cstdint>
#include <optional>
#include <string>

#include "server/http/rate_limiter.h"

namespace tally::server {

struct PairLimits {
    double failure_burst = 30;
    double failure_per_second = 0.5;
    double valid_burst = 1000;
    double valid_per_second = 10;
};

class PairGate {
  public:
    explicit PairGate(PairLimits limits);

    //! nullopt: go on; else the seconds to wait (Retry-After) before `address` may try again.
    std::optional<std::int64_t> admit(const std::string& address, double now_s);
    //! Records how an admitted attempt ended: `error_code` empty when the device paired.
    void record(const std::string& address, const std::string& error_code, double now_s);
    //! Whether an error of handle_pair counts against the address (the client's fault).
    static bool counts_as_failure(const std::string& error_code);

  private:
    RateLimiter failures_;
    RateLimiter valid_;
};

}  // namespace tally::server

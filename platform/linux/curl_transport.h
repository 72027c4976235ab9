#pragma once
// agent::HttpTransport with libcurl: one reused easy handle (keep-alive, TLS session reuse),
// HTTPS only, certificates always verified, optional SPKI pin, body cap and stall detection.

#include <memory>
#include <mutex>

#include "agent/interfaces/http_transport.h"

namespace tally::platform {

class CurlTransport : public agent::HttpTransport {
  public:
    CurlTransport();
    ~CurlTransport() override;
    CurlTransport(const CurlTransport&) = delete;
    CurlTransport& operator=(const CurlTransport&) = delete;

    void configure(const agent::TransportOptions& options) override;
    //! Thread-safe (requests are serialised on the one handle).
    agent::TransportResult send(const agent::HttpRequest& request) override;

  private:
    struct Handle;
    std::mutex mutex_;
    std::unique_ptr<Handle> handle_;
    agent::TransportOptions options_;
};

}  // namespace tally::platform

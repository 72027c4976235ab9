#pragma once
// An HttpTransport that records every request and answers from a script; an exhausted
// script answers like an unreachable server (TransportError::connect).

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "agent/interfaces/http_transport.h"

namespace tally::agent::test {

class ScriptedTransport : public HttpTransport {
  public:
    void configure(const TransportOptions&) override {}
    TransportResult send(const HttpRequest& request) override {
        std::lock_guard lock(mutex_);
        requests.push_back(request);
        if (answers.empty()) {
            TransportResult none;
            none.error = TransportError::connect;
            none.message = "no scripted answer left";
            return none;
        }
        TransportResult r = answers.front();
        answers.pop_front();
        return r;
    }
    std::deque<TransportResult> answers;
    std::vector<HttpRequest> requests;
    std::mutex mutex_;
};

inline TransportResult answer(int status, std::string body) {
    TransportResult r;
    r.response.status = status;
    r.response.body = std::move(body);
    return r;
}

inline std::string header(const HttpRequest& r, const std::string& name) {
    for (const auto& [k, v] : r.headers) {
        if (k == name)
            return v;
    }
    return {};
}

}  // namespace tally::agent::test

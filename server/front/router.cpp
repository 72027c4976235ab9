// Route table (see router.h).

#include "server/front/router.h"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>

#include "pairing/messages.h"
#include "server/http/error_response.h"
#include "server/http/event_log.h"

namespace tally::server {

void Router::get(const std::string& pattern, Handler handler, std::size_t body_limit) {
    routes_.push_back({"GET", std::regex(pattern), body_limit, std::move(handler), {}});
}

void Router::post(const std::string& pattern, Handler handler, std::size_t body_limit) {
    routes_.push_back({"POST", std::regex(pattern), body_limit, std::move(handler), {}});
}

void Router::post_async(const std::string& pattern, AsyncHandler handler, std::size_t body_limit) {
    routes_.push_back({"POST", std::regex(pattern), body_limit, {}, std::move(handler)});
}

Router::Found Router::find(const std::string& method, const std::string& path) const {
    Found found;
    found.status = 404;
    for (const auto& route : routes_) {
        std::smatch m;
        if (!std::regex_match(path, m, route.pattern)) {
            continue;
        }
        // HEAD is not served: a GET route answers 405 to it, as to any other method.
        if (route.method != method) {
            found.status = 405;
            continue;
        }
        if (route.async_handler) {
            found.async_handler = &route.async_handler;
        } else {
            found.handler = &route.handler;
        }
        found.body_limit = route.body_limit;
        found.status = 200;
        for (const auto& group : m) {
            found.matches.push_back(group.str());
        }
        return found;
    }
    return found;
}

void Router::answer_error(Response& res, int status, const std::string& code,
                          const std::string& message) {
    res = Response{};
    res.status = status;
    res.set_content(pairing::encode_error({code, message}), "application/json");
}

void Router::handle(const Found& found, Request& req, Response& res) const {
    if (found.handler == nullptr) {
        // An asynchronous route called in process (benches, tests): wait for its answer.
        std::mutex mutex;
        std::condition_variable cv;
        std::optional<Response> answer;
        handle(found, req, [&](Response given) {
            std::lock_guard lock(mutex);
            answer = std::move(given);
            cv.notify_one();
        });
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return answer.has_value(); });
        res = std::move(*answer);
        return;
    }
    req.matches = found.matches;
    try {
        (*found.handler)(req, res);
    } catch (const std::exception& e) {
        log_event("internal error on " + escape_for_log(req.path) + ": " + e.what());
        set_error(res, make_error("internal", e.what()));
    }
    finish(res);
}

void Router::handle(const Found& found, Request& req, Respond respond) const {
    if (found.handler != nullptr) {
        Response res;
        handle(found, req, res);
        respond(std::move(res));
        return;
    }
    req.matches = found.matches;
    auto answered = std::make_shared<std::atomic<bool>>(false);
    auto answer = [respond = std::move(respond), answered](Response res) {
        if (!answered->exchange(true)) {
            finish(res);
            respond(std::move(res));
        }
    };
    try {
        (*found.async_handler)(req, answer);
    } catch (const std::exception& e) {
        log_event("internal error on " + escape_for_log(req.path) + ": " + e.what());
        Response res;
        set_error(res, make_error("internal", e.what()));
        answer(std::move(res));  // unless the handler answered before it threw
    }
}

void Router::finish(Response& res) {
    if ((res.status < 200 || res.status >= 300) && res.body.empty() && res.status != 303) {
        switch (res.status) {
            case 404:
                set_error(res, make_error("not_found", "no such endpoint"));
                break;
            case 413:
                set_error(res, make_error("payload_too_large", "the body is too large"));
                break;
            default:
                res.set_content(pairing::encode_error({"bad_request", "the request is malformed"}),
                                "application/json");
        }
    }
}

}  // namespace tally::server

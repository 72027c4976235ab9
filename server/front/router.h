#pragma once
// The route table: method + path pattern (a regular expression matched against the whole
// path) → a handler, with the largest request body the route accepts. The front looks the
// route up as soon as the header is read, so a body over the route's limit is refused
// before a byte of it is buffered and before any authentication.

#include <cstddef>
#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "server/front/message.h"

namespace tally::server {

using Handler = std::function<void(const Request&, Response&)>;
//! Gives a route's answer; called once, from any thread.
using Respond = std::function<void(Response)>;
//! A route that answers later (it hands `respond` on, e.g. to the group commit, so no
//! thread waits for the answer). `req` stays valid until `respond` was called.
using AsyncHandler = std::function<void(const Request&, Respond)>;

//! Body limits of the routes (raw bytes on the wire).
inline constexpr std::size_t kNoBody = 0;
inline constexpr std::size_t kSmallBody = 64 * 1024;
inline constexpr std::size_t kLargeBody = 4 * 1024 * 1024;

class Router {
  public:
    struct Found {
        const Handler* handler = nullptr;             //!< a route that answers at once
        const AsyncHandler* async_handler = nullptr;  //!< or one that answers later
        std::size_t body_limit = 0;
        int status = 200;  //!< 404 (no such path) or 405 (path known, method not)
        std::vector<std::string> matches;
        //! false: no route (see status)
        bool found() const { return handler != nullptr || async_handler != nullptr; }
    };

    void get(const std::string& pattern, Handler handler, std::size_t body_limit = kNoBody);
    void post(const std::string& pattern, Handler handler, std::size_t body_limit = kSmallBody);
    void post_async(const std::string& pattern, AsyncHandler handler,
                    std::size_t body_limit = kSmallBody);

    Found find(const std::string& method, const std::string& path) const;
    //! Runs the handler (an asynchronous one: waits for its answer); an exception becomes 500
    //! internal, and a non-2xx answer without a body gets the protocol error body (PROTOCOL.md §7).
    void handle(const Found& found, Request& req, Response& res) const;
    //! handle() for either kind of route: `respond` gets the answer (the same checks).
    void handle(const Found& found, Request& req, Respond respond) const;
    //! The answer for a request with no route or refused by the front.
    static void answer_error(Response& res, int status, const std::string& code,
                             const std::string& message);

  private:
    struct Route {
        std::string method;
        std::regex pattern;
        std::size_t body_limit;
        Handler handler;
        AsyncHandler async_handler;
    };
    //! An answer as handle() completes it (the protocol error body on a bare error).
    static void finish(Response& res);
    std::vector<Route> routes_;
};

}  // namespace tally::server

#pragma once
// The JSON body of an admin request (fields named as DESIGN.md §6), read once, with typed
// getters. A getter that finds a problem keeps it (the first one wins) and returns an empty
// value; the route reads every field it needs, then asks check() once for the 400 that names
// the field:
//
//   RequestFields f(req);
//   const auto group = f.required("group");
//   const auto package = f.required("package");
//   if (auto bad = f.check(); !bad) return bad;

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "pairing/result.h"
#include "server/billing/tenant_policy.h"
#include "server/front/message.h"

namespace tally::server {

class RequestFields {
  public:
    //! An empty body is {}; anything but a JSON object is the first problem.
    explicit RequestFields(const Request& req);

    //! A non-empty string of at most 256 bytes.
    std::string required(const char* name);
    //! Absent or null: nullopt; else as required().
    std::optional<std::string> optional(const char* name);
    //! The tenant policy fields (snake_case) as billing/tenant_policy.h's CLI-named options:
    //! strings, and grace_hours an integer.
    billing::Options policy_options();

    //! bad_request naming the first problem, or success.
    Result<void> check() const;

  private:
    void problem(std::string message);

    nlohmann::json doc_;
    std::optional<Error> error_;
};

}  // namespace tally::server

// The accounting rules replayed over session timelines: each file in data/timelines/ is a
// sequence of samplings (steady time, wall time, the sessions the platform reported) and
// the minutes the heartbeat must carry. Locked, greeter, service account, two users, one
// user with two sessions, suspend, clock steps (README.md in that folder explains the format).

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "agent/activity/minute_accumulator.h"
#include "agent/activity/session_json.h"

using namespace tally::agent;

namespace {

const std::filesystem::path kDir = TALLY_TIMELINES_DIR;

nlohmann::json load(const std::string& name) {
    std::ifstream in(kDir / (name + ".json"));
    REQUIRE(in.good());
    return nlohmann::json::parse(in);
}

struct Outcome {
    std::uint32_t device_minutes = 0;
    std::map<std::string, std::uint32_t> users;
};

Outcome replay(const nlohmann::json& timeline, bool server_role = false) {
    ActivityPolicy policy;
    policy.idle_threshold_s = timeline.at("idle_threshold_s").get<std::uint32_t>();
    policy.active_by_signal = server_role;
    MinuteAccumulator acc(policy);
    const SteadyTime t0{};  // steady clock origin; only differences matter
    acc.reset(t0);
    std::int64_t last = 0;
    for (const auto& step : timeline.at("steps")) {
        std::vector<SessionSample> sessions;
        for (const auto& j : step.at("sessions")) {
            auto s = session_from_json(j);
            REQUIRE(s);
            sessions.push_back(*s);
        }
        last = step.at("steady_s").get<std::int64_t>();
        acc.add(sessions, t0 + std::chrono::seconds(last),
                WallTime{} + std::chrono::seconds(step.at("wall_s").get<std::int64_t>()));
    }
    const SteadyTime end = t0 + std::chrono::seconds(last + 60);  // closed one interval later
    Outcome o;
    o.device_minutes = acc.device_minutes(end);
    for (const auto& u : acc.users(end))
        o.users[u.principal] = u.active_minutes;
    return o;
}

void check(const std::string& name) {
    auto timeline = load(name);
    INFO(name << ": " << timeline.value("note", ""));
    Outcome o = replay(timeline);
    const auto& expect = timeline.at("expect");
    CHECK(o.device_minutes == expect.at("device_minutes").get<std::uint32_t>());
    std::map<std::string, std::uint32_t> users;
    for (const auto& [k, v] : expect.at("users").items())
        users[k] = v.get<std::uint32_t>();
    CHECK(o.users == users);
}

}  // namespace

TEST_CASE("timeline: a locked session stops counting however recent its input", "[activity]") {
    check("locked");
}

TEST_CASE("timeline: a greeter with input counts nobody", "[activity]") {
    check("greeter");
}

TEST_CASE("timeline: service accounts and root never count", "[activity]") {
    check("service_account");
}

TEST_CASE("timeline: two users on one host count separately", "[activity]") {
    check("two_users");
}

TEST_CASE("timeline: one user with two sessions counts once per minute", "[activity]") {
    check("one_user_two_sessions");
}

TEST_CASE("timeline: a suspended span gives no minutes, resume is idle until input", "[activity]") {
    check("suspend_gap");
    // A server-role device is active by signal, but only for the time it was running.
    auto timeline = load("suspend_gap");
    CHECK(replay(timeline, true).device_minutes ==
          timeline.at("expect_server_role").at("device_minutes").get<std::uint32_t>());
}

TEST_CASE("timeline: a clock stepped back invents no minutes", "[activity]") {
    check("clock_step_back");
}

TEST_CASE("timeline: a clock stepped forward loses at most the minute before the next input",
          "[activity]") {
    check("clock_step_forward");
}

TEST_CASE("timeline: sessions recorded by probe --json from real sshd logins", "[activity]") {
    check("sshd_recorded");
}

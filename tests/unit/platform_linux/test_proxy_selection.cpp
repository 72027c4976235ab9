// select_proxy / no_proxy_matches: configured proxy, environment, NO_PROXY precedence.

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "platform/linux/proxy_selection.h"

using tally::platform::no_proxy_matches;
using tally::platform::select_proxy;

namespace {

tally::platform::EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const char* name) -> const char* {
        auto it = vars.find(name);
        return it == vars.end() ? nullptr : it->second.c_str();
    };
}

}  // namespace

TEST_CASE("no_proxy: names, subdomains, addresses, CIDR, wildcard") {
    CHECK(no_proxy_matches("example.com", "example.com"));
    CHECK(no_proxy_matches("example.com", "api.EXAMPLE.com"));
    CHECK(no_proxy_matches(".example.com", "api.example.com"));
    CHECK_FALSE(no_proxy_matches("example.com", "badexample.com"));
    CHECK_FALSE(no_proxy_matches("api.example.com", "example.com"));
    CHECK(no_proxy_matches("localhost, 127.0.0.1", "127.0.0.1"));
    CHECK_FALSE(no_proxy_matches("127.0.0.1", "127.0.0.10"));
    CHECK_FALSE(no_proxy_matches("0.0.1", "127.0.0.1"));
    CHECK(no_proxy_matches("10.0.0.0/8", "10.2.3.4"));
    CHECK_FALSE(no_proxy_matches("10.0.0.0/8", "11.2.3.4"));
    CHECK(no_proxy_matches("*", "anything"));
    CHECK(no_proxy_matches("a.lan,example.com:443", "example.com"));
    CHECK(no_proxy_matches("[::1]", "::1"));
    CHECK_FALSE(no_proxy_matches("", "example.com"));
}

TEST_CASE("select_proxy: configured, then https_proxy/HTTPS_PROXY/ALL_PROXY; NO_PROXY wins") {
    const std::string host = "tally.example.com";
    CHECK(select_proxy("", host, env_of({})).empty());
    CHECK(select_proxy("http://cfg:3128", host, env_of({})) == "http://cfg:3128");
    CHECK(select_proxy("http://cfg:3128", host, env_of({{"HTTPS_PROXY", "http://env:1"}})) ==
          "http://cfg:3128");
    CHECK(select_proxy("", host, env_of({{"HTTPS_PROXY", "http://env:1"}})) == "http://env:1");
    CHECK(select_proxy("", host,
                       env_of({{"https_proxy", "http://lower:1"},
                               {"HTTPS_PROXY", "http://upper:1"}})) == "http://lower:1");
    CHECK(select_proxy("", host, env_of({{"ALL_PROXY", "http://all:1"}})) == "http://all:1");
    CHECK(select_proxy("", host, env_of({{"http_proxy", "http://plain:1"}})).empty());
    CHECK(select_proxy("", host,
                       env_of({{"HTTPS_PROXY", "http://env:1"}, {"NO_PROXY", "example.com"}}))
              .empty());
    CHECK(select_proxy("http://cfg:3128", host, env_of({{"no_proxy", "*"}})).empty());
}

// platform/windows: the proxy URL for WinHTTP, `service` arguments and the service command
// line, WinHTTP error classification.

#include <catch2/catch.hpp>

#include <windows.h>

#include <winhttp.h>

#include "platform/windows/proxy_config.h"
#include "platform/windows/service_install.h"
#include "platform/windows/winhttp_transport.h"

using namespace tally;
using namespace tally::platform;

TEST_CASE("proxy URLs become a WinHTTP named proxy and Basic credentials") {
    auto p = parse_proxy_url("http://proxy.corp:3128");
    REQUIRE(p);
    CHECK(p->server == "proxy.corp:3128");
    CHECK(p->user.empty());
    auto auth = parse_proxy_url("http://us%40er:p%3Ass@10.0.0.1:8080/");
    REQUIRE(auth);
    CHECK(auth->server == "10.0.0.1:8080");
    CHECK(auth->user == "us@er");
    CHECK(auth->password == "p:ss");
    CHECK(parse_proxy_url("http://proxy")->server == "proxy:80");
    CHECK(parse_proxy_url("http://[::1]:3128")->server == "[::1]:3128");
    for (const char* bad : {"https://p:1", "proxy:3128", "http://:3128", "http://p:0",
                            "http://p:99999", "http://p:80/path", "http://%zz@p:1"}) {
        INFO(bad);
        auto r = parse_proxy_url(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().message.find("'proxy'") != std::string::npos);
    }
}

TEST_CASE("service install/uninstall arguments") {
    auto a = parse_service_args({"install", "--config", "C:\\t\\agent.json", "--state-dir",
                                 "C:\\t\\state"});
    REQUIRE(a);
    CHECK(a->install);
    CHECK(service_command_line(L"C:\\Program Files\\Tally\\tally-agent.exe", *a) ==
          L"\"C:\\Program Files\\Tally\\tally-agent.exe\" run --service --config "
          L"\"C:\\t\\agent.json\" --state-dir \"C:\\t\\state\"");
    auto u = parse_service_args({"uninstall"});
    REQUIRE(u);
    CHECK_FALSE(u->install);
    CHECK(service_command_line(L"C:\\x.exe", {}) == L"\"C:\\x.exe\" run --service");
    CHECK_FALSE(parse_service_args({}));
    CHECK_FALSE(parse_service_args({"start"}));
    CHECK_FALSE(parse_service_args({"install", "--config"}));
    CHECK(parse_service_args({"uninstall", "--config", "x"}));  // accepted, ignored
    CHECK_FALSE(parse_service_args({"install", "--bogus"}));
}

TEST_CASE("WinHTTP errors map to the core's transport errors") {
    using agent::TransportError;
    CHECK(classify_winhttp_error(ERROR_WINHTTP_NAME_NOT_RESOLVED) == TransportError::resolve);
    CHECK(classify_winhttp_error(ERROR_WINHTTP_CANNOT_CONNECT) == TransportError::connect);
    CHECK(classify_winhttp_error(ERROR_WINHTTP_TIMEOUT) == TransportError::timeout);
    CHECK(classify_winhttp_error(ERROR_WINHTTP_SECURE_FAILURE) == TransportError::tls);
    CHECK(classify_winhttp_error(ERROR_WINHTTP_SECURE_INVALID_CA) == TransportError::tls);
    CHECK(classify_winhttp_error(ERROR_WINHTTP_INVALID_URL) == TransportError::bad_url);
    CHECK(classify_winhttp_error(1) == TransportError::other);
}

// Proxy selection and NO_PROXY matching (see proxy_selection.h).

#include "platform/linux/proxy_selection.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>

namespace tally::platform {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

bool ipv4_in_cidr(const std::string& host, std::string_view entry) {
    const auto slash = entry.find('/');
    in_addr net{};
    in_addr addr{};
    const std::string base(entry.substr(0, slash));
    if (inet_pton(AF_INET, base.c_str(), &net) != 1 || inet_pton(AF_INET, host.c_str(), &addr) != 1)
        return false;
    unsigned bits = 32;
    if (slash != std::string_view::npos) {
        auto digits = entry.substr(slash + 1);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
        if (ec != std::errc() || end != digits.data() + digits.size() || bits > 32)
            return false;
    }
    const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
    return (ntohl(net.s_addr) & mask) == (ntohl(addr.s_addr) & mask);
}

bool entry_matches(std::string_view entry, const std::string& host) {
    if (entry == "*")
        return true;
    std::string e = lower(entry);
    if (e.starts_with('[')) {  // [v6] or [v6]:port
        e = e.substr(1, e.find(']') - 1);
        return e == host;
    }
    in_addr v4{};
    // An address only matches addresses and blocks, never as a "domain suffix".
    if (e.find('/') != std::string::npos || inet_pton(AF_INET, e.c_str(), &v4) == 1 ||
        inet_pton(AF_INET, host.c_str(), &v4) == 1)
        return ipv4_in_cidr(host, e);
    if (std::count(e.begin(), e.end(), ':') == 1)  // name:port
        e = e.substr(0, e.find(':'));
    if (e.starts_with('.'))
        e.erase(0, 1);
    if (e.empty())
        return false;
    if (host == e)
        return true;
    return host.size() > e.size() && host.ends_with(e) && host[host.size() - e.size() - 1] == '.';
}

const char* first_set(const EnvLookup& env, std::initializer_list<const char*> names) {
    for (const char* n : names) {
        const char* v = env(n);
        if (v != nullptr && *v != '\0')
            return v;
    }
    return nullptr;
}

}  // namespace

bool no_proxy_matches(std::string_view no_proxy, const std::string& host_in) {
    const std::string host = lower(host_in);
    std::size_t pos = 0;
    while (pos < no_proxy.size()) {
        const auto end = no_proxy.find_first_of(", \t", pos);
        auto entry = no_proxy.substr(pos, end == std::string_view::npos ? end : end - pos);
        if (!entry.empty() && entry_matches(entry, host))
            return true;
        if (end == std::string_view::npos)
            break;
        pos = end + 1;
    }
    return false;
}

std::string select_proxy(const std::string& configured, const std::string& host,
                         const EnvLookup& env) {
    if (const char* no = first_set(env, {"no_proxy", "NO_PROXY"}); no && no_proxy_matches(no, host))
        return {};
    if (!configured.empty())
        return configured;
    const char* from_env = first_set(env, {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"});
    return from_env != nullptr ? from_env : std::string();
}

}  // namespace tally::platform

// The HTTPS proxy's trust (see proxy_trust.h).

#include "platform/posix/helper/proxy_trust.h"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

namespace tally::platform {
namespace {

bool starts_https(const char* url) {
    return url && std::string(url).rfind("https://", 0) == 0;
}

std::optional<std::string> slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

bool https_proxy_in_use(const std::string& configured) {
    if (!configured.empty())
        return starts_https(configured.c_str());
    for (const char* name : {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
        if (const char* v = std::getenv(name); v && *v)
            return starts_https(v);
    }
    return false;
}

Result<std::string> proxy_trust_bundle(const std::string& ca_file,
                                       const std::string& system_bundle) {
    auto own = slurp(ca_file);
    if (!own)
        return make_error("local_config", "cannot read ca_file " + ca_file);
    std::string bundle = std::move(*own);
    if (!bundle.empty() && bundle.back() != '\n')
        bundle += '\n';
    if (!system_bundle.empty()) {
        if (auto system = slurp(system_bundle))
            bundle += *system;
    }
    return bundle;
}

}  // namespace tally::platform

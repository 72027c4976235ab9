// account_origin() (account_origin.h).

#include "platform/macos/account_origin.h"

#include <string_view>

namespace tally::platform {
namespace {

constexpr std::string_view kActiveDirectory = "/Active Directory/";

//! "CORP" from "/Active Directory/CORP/All Domains" or "/Active Directory/CORP/corp.example.com".
std::optional<std::string> ad_domain(std::string_view node) {
    if (!node.starts_with(kActiveDirectory))
        return std::nullopt;
    node.remove_prefix(kActiveDirectory.size());
    const auto slash = node.find('/');
    const std::string_view domain = node.substr(0, slash);
    if (domain.empty())
        return std::nullopt;
    return std::string(domain);
}

bool qualified(const std::string& name) {
    return name.find('\\') != std::string::npos || name.find('@') != std::string::npos;
}

}  // namespace

AccountOrigin account_origin(const std::string& name, bool in_local_node,
                             const std::optional<std::string>& original_node) {
    if (in_local_node && !original_node)
        return {true, name};
    if (qualified(name))
        return {false, name};
    if (original_node) {
        if (auto domain = ad_domain(*original_node))
            return {false, *domain + "\\" + name};
    }
    return {false, name};
}

}  // namespace tally::platform

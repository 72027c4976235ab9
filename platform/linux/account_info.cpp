// Account lookup through NSS (files, SSSD, winbind) and its classification.

#include "platform/linux/account_info.h"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <vector>

namespace tally::platform {
namespace {

bool is_login_shell_denied(std::string_view shell) {
    return shell.ends_with("/nologin") || shell.ends_with("/false") || shell == "nologin" ||
           shell == "false";
}

//! SSSD/winbind show directory users as "alice@example.com" or "EXAMPLE\\alice".
bool is_directory_name(std::string_view name) {
    return name.find('@') != std::string_view::npos || name.find('\\') != std::string_view::npos;
}

AccountInfo classify(std::string name, std::optional<std::uint32_t> uid, std::string_view shell,
                     std::uint32_t uid_min) {
    AccountInfo a;
    a.local_account = !is_directory_name(name);
    a.principal = name;
    a.user = std::move(name);
    a.uid = uid;
    a.system_account = (uid && *uid < uid_min) || is_login_shell_denied(shell);
    return a;
}

std::vector<char> pw_buffer() {
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    return std::vector<char>(size > 0 ? static_cast<std::size_t>(size) : 16384);
}

}  // namespace

AccountInfo account_by_uid(std::uint32_t uid, std::uint32_t uid_min) {
    auto buf = pw_buffer();
    struct passwd pw {};
    struct passwd* found = nullptr;
    int rc;
    while ((rc = ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found)) == ERANGE)
        buf.resize(buf.size() * 2);
    if (rc != 0 || found == nullptr)
        return classify(std::to_string(uid), uid, {}, uid_min);
    return classify(pw.pw_name, uid, pw.pw_shell ? pw.pw_shell : "", uid_min);
}

AccountInfo account_by_name(const std::string& name, std::uint32_t uid_min) {
    auto buf = pw_buffer();
    struct passwd pw {};
    struct passwd* found = nullptr;
    int rc;
    while ((rc = ::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found)) == ERANGE)
        buf.resize(buf.size() * 2);
    if (rc != 0 || found == nullptr)
        return classify(name, std::nullopt, {}, uid_min);
    return classify(pw.pw_name, pw.pw_uid, pw.pw_shell ? pw.pw_shell : "", uid_min);
}

void apply_account(const AccountInfo& account, agent::SessionSample& sample) {
    sample.user = account.user;
    sample.uid = account.uid;
    sample.principal = account.principal;
    sample.local_account = account.local_account;
    sample.system_account = account.system_account;
}

}  // namespace tally::platform

// Account lookup through NSS (files, SSSD, winbind) and its classification.

#include "platform/posix/account_info.h"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
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

//! winbind's other common separator: "EXAMPLE+bob" is "EXAMPLE\\bob".
std::string directory_principal(const std::string& name) {
    auto plus = name.find('+');
    if (name.find('\\') == std::string::npos && name.find('@') == std::string::npos &&
        plus != std::string::npos && plus > 0 && plus + 1 < name.size()) {
        return name.substr(0, plus) + "\\" + name.substr(plus + 1);
    }
    return name;
}

std::vector<char> pw_buffer() {
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    return std::vector<char>(size > 0 ? static_cast<std::size_t>(size) : 16384);
}

}  // namespace

AccountInfo classify_account(std::string name, std::optional<std::uint32_t> uid,
                             std::string_view shell, std::uint32_t uid_min, bool in_passwd_file) {
    AccountInfo a;
    a.local_account = in_passwd_file && !is_directory_name(name);
    a.principal = a.local_account ? name : directory_principal(name);
    a.user = std::move(name);
    a.uid = uid;
    a.system_account = (uid && *uid < uid_min) || is_login_shell_denied(shell);
    return a;
}

bool listed_in_passwd_file(const std::string& name, const std::filesystem::path& passwd_file) {
    std::ifstream in(passwd_file);
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 &&
            line[name.size()] == ':')
            return true;
    }
    return false;
}

AccountInfo account_by_uid(std::uint32_t uid, std::uint32_t uid_min) {
    auto buf = pw_buffer();
    struct passwd pw {};
    struct passwd* found = nullptr;
    int rc;
    while ((rc = ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found)) == ERANGE)
        buf.resize(buf.size() * 2);
    if (rc != 0 || found == nullptr)
        return classify_account(std::to_string(uid), uid, {}, uid_min, true);
    return classify_account(pw.pw_name, uid, pw.pw_shell ? pw.pw_shell : "", uid_min,
                            listed_in_passwd_file(pw.pw_name));
}

AccountInfo account_by_name(const std::string& name, std::uint32_t uid_min) {
    auto buf = pw_buffer();
    struct passwd pw {};
    struct passwd* found = nullptr;
    int rc;
    while ((rc = ::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found)) == ERANGE)
        buf.resize(buf.size() * 2);
    if (rc != 0 || found == nullptr)  // unknown to NSS: judge by the name alone
        return classify_account(name, std::nullopt, {}, uid_min, true);
    return classify_account(pw.pw_name, pw.pw_uid, pw.pw_shell ? pw.pw_shell : "", uid_min,
                            listed_in_passwd_file(pw.pw_name));
}

void apply_account(const AccountInfo& account, agent::SessionSample& sample) {
    sample.user = account.user;
    sample.uid = account.uid;
    sample.principal = account.principal;
    sample.local_account = account.local_account;
    sample.system_account = account.system_account;
}

}  // namespace tally::platform

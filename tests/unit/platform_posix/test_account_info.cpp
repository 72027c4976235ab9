// Account classification through the real NSS database of the test machine.

#include <pwd.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "platform/posix/account_info.h"

using namespace tally::platform;

TEST_CASE("uid below uid_min is a system account; root with uid_min 0 is not") {
    auto root = account_by_uid(0, 1000);
    CHECK(root.user == "root");
    CHECK(root.uid == 0u);
    CHECK(root.principal == "root");
    CHECK(root.local_account);
    CHECK(root.system_account);

    struct passwd* pw = ::getpwuid(0);
    REQUIRE(pw != nullptr);
    const std::string shell = pw->pw_shell;
    if (!shell.ends_with("nologin") && !shell.ends_with("false")) {
        CHECK_FALSE(account_by_uid(0, 0).system_account);
    }
}

TEST_CASE("a nologin shell makes a system account whatever the uid") {
    // Debian's "nobody" (65534) has /usr/sbin/nologin.
    struct passwd* pw = ::getpwnam("nobody");
    if (pw == nullptr) {
        WARN("no 'nobody' account on this machine");
        return;
    }
    auto nobody = account_by_name("nobody", 0);
    CHECK(nobody.uid == pw->pw_uid);
    CHECK(nobody.system_account == (std::string(pw->pw_shell).ends_with("nologin") ||
                                    std::string(pw->pw_shell).ends_with("false")));
}

TEST_CASE("unknown accounts keep their name; directory names are not local") {
    auto unknown = account_by_uid(3999999, 1000);
    CHECK(unknown.user == "3999999");
    CHECK(unknown.uid == 3999999u);
    CHECK_FALSE(unknown.system_account);
    CHECK(unknown.local_account);

    auto upn = account_by_name("alice@example.com", 1000);
    CHECK(upn.principal == "alice@example.com");
    CHECK_FALSE(upn.local_account);
    CHECK_FALSE(upn.uid.has_value());

    auto winbind = account_by_name("EXAMPLE\\bob", 1000);
    CHECK(winbind.principal == "EXAMPLE\\bob");
    CHECK_FALSE(winbind.local_account);

    auto local = account_by_name("no-such-user-tally", 1000);
    CHECK(local.local_account);
    CHECK_FALSE(local.system_account);
}

TEST_CASE("directory accounts: not in /etc/passwd means not local, with a directory principal") {
    // SSSD with short names: NSS resolves "alice" but /etc/passwd does not list her.
    auto sssd_short = classify_account("alice", 1500001, "/bin/bash", 1000, false);
    CHECK_FALSE(sssd_short.local_account);
    CHECK(sssd_short.principal == "alice");
    CHECK_FALSE(sssd_short.system_account);

    auto sssd_fq = classify_account("alice@ad.example.com", 1500001, "/bin/bash", 1000, false);
    CHECK_FALSE(sssd_fq.local_account);
    CHECK(sssd_fq.principal == "alice@ad.example.com");

    auto winbind_plus = classify_account("EXAMPLE+bob", 3000012, "/bin/bash", 1000, false);
    CHECK_FALSE(winbind_plus.local_account);
    CHECK(winbind_plus.principal == "EXAMPLE\\bob");

    auto local = classify_account("carol", 1001, "/bin/bash", 1000, true);
    CHECK(local.local_account);
    CHECK(local.principal == "carol");

    // a local file entry never turns "a+b" into a domain name
    CHECK(classify_account("a+b", 1002, "/bin/bash", 1000, true).principal == "a+b");
}

TEST_CASE("the local account database is /etc/passwd, matched by whole name") {
    CHECK(listed_in_passwd_file("root"));
    CHECK_FALSE(listed_in_passwd_file("roo"));
    CHECK_FALSE(listed_in_passwd_file("no-such-user-tally"));
    auto root = account_by_uid(0, 1000);
    CHECK(root.local_account);
}

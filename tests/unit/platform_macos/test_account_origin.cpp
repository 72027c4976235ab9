// Local or directory account on macOS from Open Directory's two facts. The node names are
// the forms Apple's Active Directory connector gives mobile accounts' OriginalNodeName
// ("/Active Directory/<DOMAIN>/All Domains", or the forest's DNS name as last component);
// the LDAP form is "/LDAPv3/<server>".

#include <catch2/catch.hpp>

#include "platform/macos/account_origin.h"

using tally::platform::account_origin;

TEST_CASE("a record in the local node without an original node is a local account") {
    const auto a = account_origin("alice", true, std::nullopt);
    CHECK(a.local_account);
    CHECK(a.principal == "alice");
}

TEST_CASE("a mobile account cached from Active Directory is DOMAIN\\user") {
    auto a = account_origin("bob", true, std::string("/Active Directory/CORP/All Domains"));
    CHECK_FALSE(a.local_account);
    CHECK(a.principal == "CORP\\bob");
    a = account_origin("bob", true, std::string("/Active Directory/CORP/corp.example.com"));
    CHECK(a.principal == "CORP\\bob");
    a = account_origin("bob", true, std::string("/Active Directory/CORP"));
    CHECK(a.principal == "CORP\\bob");
}

TEST_CASE("other directories and network accounts keep their name, marked as directory") {
    auto a = account_origin("carol", true, std::string("/LDAPv3/ldap.example.com"));
    CHECK_FALSE(a.local_account);
    CHECK(a.principal == "carol");
    a = account_origin("dave", false, std::nullopt);
    CHECK_FALSE(a.local_account);
    CHECK(a.principal == "dave");
    a = account_origin("erin@EXAMPLE.COM", false, std::nullopt);
    CHECK(a.principal == "erin@EXAMPLE.COM");
    a = account_origin("frank", true, std::string("/Active Directory//All Domains"));
    CHECK(a.principal == "frank");
}

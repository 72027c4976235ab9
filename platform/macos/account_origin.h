#pragma once
// Local or directory account on macOS, and its principal. Local accounts live in the local
// directory node (/Local/Default), not in /etc/passwd (which holds only a few system
// accounts there), so the POSIX rule (local = listed in /etc/passwd) cannot be used. The
// Open Directory lookup (open_directory_account.cpp) answers two facts; this file turns them
// into the principal, without any Apple API (unit-tested on Linux):
// * a record in the local node without OriginalNodeName: a local account;
// * a record in the local node with OriginalNodeName: a mobile account cached from a
//   directory, e.g. "/Active Directory/CORP/All Domains" → principal "CORP\alice";
// * no record in the local node: a network account (directory), principal as named.

#include <optional>
#include <string>

namespace tally::platform {

struct AccountOrigin {
    bool local_account = true;
    std::string principal;
};

//! `in_local_node`: the local node has a user record named `name`; `original_node`: that
//! record's OriginalNodeName, if any.
AccountOrigin account_origin(const std::string& name, bool in_local_node,
                             const std::optional<std::string>& original_node);

}  // namespace tally::platform

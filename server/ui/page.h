#pragma once
// The shell every /ui page shares: one HTML document with a small inline stylesheet, no
// scripts and no external assets, and the Content-Security-Policy that allows exactly that
// stylesheet (by hash) and nothing else. Pure strings; ui_routes.cpp sends them.

#include <optional>
#include <string>
#include <string_view>

namespace tally::server::ui {

struct PageHeader {
    std::string who;  //!< "global admin" or "admin of tenant X" (plain text, escaped here)
};

//! A whole document. `title` is plain text (escaped here); `body` is HTML built by the
//! caller from escaped pieces. With a header, the page shows who is signed in and a
//! sign-out button.
std::string page(std::string_view title, std::string_view body,
                 const std::optional<PageHeader>& header);

//! A page with one message (plain text, escaped) and a link back to /ui.
std::string message_page(std::string_view title, std::string_view message,
                         const std::optional<PageHeader>& header);

//! The Content-Security-Policy header value for these pages.
const std::string& content_security_policy();

}  // namespace tally::server::ui

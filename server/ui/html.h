#pragma once
// Text → HTML and URL pieces for the /ui pages. Every value that reaches a page goes through
// html_escape (element text and quoted attribute values alike), every value in a link's
// query through url_encode first.

#include <string>
#include <string_view>

namespace tally::server::ui {

//! Escapes & < > " ' so the text is inert in element content and quoted attributes.
std::string html_escape(std::string_view text);

//! Percent-encodes everything but RFC 3986 unreserved characters (for a query value).
std::string url_encode(std::string_view text);

}  // namespace tally::server::ui

#pragma once
// RFC 4180 CSV: fields with comma, quote, CR or LF are quoted and quotes doubled; rows end
// with CRLF.

#include <string>
#include <string_view>
#include <vector>

namespace tally::server {

std::string csv_field(std::string_view value);
std::string csv_row(const std::vector<std::string>& fields);

}  // namespace tally::server

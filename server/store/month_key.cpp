#include "server/store/month_key.h"

#include <algorithm>
#include <cstdio>

namespace tally::server {

Result<std::int64_t> month_key(std::string_view month) {
    const bool shaped = month.size() == 7 && month[4] == '-' &&
                        std::all_of(month.begin(), month.end(),
                                    [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
    const auto mm = shaped ? std::stoi(std::string(month.substr(5, 2))) : 0;
    if (!shaped || mm < 1 || mm > 12) {
        return make_error("bad_request",
                          "month '" + std::string(month) + "' is not of the form YYYY-MM");
    }
    return std::stoll(std::string(month.substr(0, 4))) * 100 + mm;
}

std::string month_text(std::int64_t key) {
    char text[48];
    std::snprintf(text, sizeof text, "%04lld-%02lld", static_cast<long long>(key / 100),
                  static_cast<long long>(key % 100));
    return text;
}

}  // namespace tally::server

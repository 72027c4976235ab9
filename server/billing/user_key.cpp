// User keys (see user_key.h).

#include "server/billing/user_key.h"

namespace tally::server::billing {

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

std::string user_key(std::string_view principal, bool local, std::string_view device_id) {
    std::string out;
    assign_user_key(out, principal, local, device_id);
    return out;
}

void assign_user_key(std::string& out, std::string_view principal, bool local,
                     std::string_view device_id) {
    out.clear();
    if (local) {
        out.append("local:").append(device_id).append("/").append(principal);
        return;
    }
    out.append(principal);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
}

std::string user_key_from_admin(std::string_view text) {
    if (text.substr(0, 6) == "local:") {
        return std::string(text);
    }
    return ascii_lower(text);
}

bool is_surrogate(std::string_view key) {
    return key.substr(0, 7) == "purged-";
}

}  // namespace tally::server::billing

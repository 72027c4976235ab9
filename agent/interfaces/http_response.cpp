// HttpResponse::header: transports store header names lower-cased, so lookup is exact.

#include "agent/interfaces/http_transport.h"

namespace tally::agent {

std::optional<std::string> HttpResponse::header(const std::string& lower_name) const {
    for (const auto& [name, value] : headers) {
        if (name == lower_name)
            return value;
    }
    return std::nullopt;
}

}  // namespace tally::agent

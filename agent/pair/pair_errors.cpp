// Pairing failure sentences (see pair_errors.h).

#include "agent/pair/pair_errors.h"

#include "pairing/messages.h"

namespace tally::agent {

std::string describe_transport_failure(const TransportResult& r, const std::string& url) {
    switch (r.error) {
        case TransportError::tls:
            return "TLS: the certificate of " + url + " did not verify (" + r.message +
                   "); pass the server's CA with --ca-file or set ca_file";
        case TransportError::connect:
            return "cannot connect to " + url + ": server unreachable (" + r.message + ")";
        case TransportError::resolve:
            return "cannot connect to " + url + ": host name does not resolve (" + r.message + ")";
        case TransportError::timeout:
            return "cannot connect to " + url + ": no answer in time (" + r.message + ")";
        case TransportError::bad_url:
            return "bad server URL " + url + ": " + r.message;
        case TransportError::response_too_large:
            return "the server's answer was too large (" + r.message + ")";
        case TransportError::local_config:
            return "this device's network settings are unusable: " + r.message;
        case TransportError::other:
        case TransportError::none:
            break;
    }
    return "request to " + url + " failed: " + r.message;
}

std::string describe_pair_refusal(const HttpResponse& response) {
    auto body = pairing::decode_error(response.body);
    std::string code = body ? body->error : "";
    if (code == "invalid_code")
        return "the pairing code is not valid on this server (invalid_code)";
    if (code == "code_expired")
        return "the pairing code has expired (code_expired); ask for a new one";
    if (code == "code_exhausted") {
        return "the pairing code has been used up: its use count is exhausted (code_exhausted)";
    }
    if (code == "tenant_inactive")
        return "the tenant of this pairing code is inactive (tenant_inactive)";
    std::string msg = "the server refused pairing: HTTP " + std::to_string(response.status);
    if (!code.empty())
        msg += " " + code;
    if (body && !body->message.empty())
        msg += ": " + body->message;
    return msg;
}

}  // namespace tally::agent

// Filling and signing a request (see sign_request.h).

#include "agent/sign/sign_request.h"

#include <algorithm>
#include <cctype>

#include "pairing/messages.h"

namespace tally::agent {
namespace {

constexpr std::string_view kEmptyKey = R"("public_key":"")";

bool same_name(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

}  // namespace

const char* to_string(SignedKind k) {
    switch (k) {
        case SignedKind::pair:
            return "pair";
        case SignedKind::upload:
            return "upload";
        case SignedKind::retire:
            return "retire";
    }
    return "unknown";
}

Result<std::string> fill_pair_public_key(std::string_view body, std::string_view public_key_b64) {
    const auto at = body.find(kEmptyKey);
    if (at == std::string_view::npos || body.find(kEmptyKey, at + 1) != std::string_view::npos)
        return make_error("bad_request", "the pairing request has no single empty public_key");
    std::string out(body.substr(0, at));
    out += R"("public_key":")";
    out += public_key_b64;
    out += '"';
    out += body.substr(at + kEmptyKey.size());
    return out;
}

Result<HttpRequest> sign_request(const SignedRequest& request, std::string_view public_key_b64,
                                 const Signer& sign) {
    HttpRequest http = request.request;
    for (const auto& h : http.headers) {
        if (same_name(h.first, pairing::kHeaderSignature))
            return make_error("bad_request", "the request to sign is already signed");
    }
    if (request.kind == SignedKind::pair) {
        auto body = fill_pair_public_key(http.body, public_key_b64);
        if (!body)
            return body.error();
        http.body = std::move(*body);
    }
    auto sig = sign(pairing::as_bytes(http.body));
    if (!sig) {
        return make_error("key", std::string("cannot sign the ") + to_string(request.kind) +
                                     " request: " + sig.error().message);
    }
    http.headers.emplace_back(pairing::kHeaderSignature, pairing::base64url_encode(*sig));
    return http;
}

}  // namespace tally::agent

// CURLcode → TransportError.

#include "platform/linux/curl_error_map.h"

namespace tally::platform {

agent::TransportError map_curl_error(CURLcode code) {
    using agent::TransportError;
    switch (code) {
        case CURLE_OK:
            return TransportError::none;
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
            return TransportError::bad_url;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
            return TransportError::resolve;
        case CURLE_COULDNT_CONNECT:
        case CURLE_PROXY:
            return TransportError::connect;
        case CURLE_OPERATION_TIMEDOUT:
            return TransportError::timeout;
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_ENGINE_NOTFOUND:
        case CURLE_SSL_ENGINE_SETFAILED:
        case CURLE_SSL_ENGINE_INITFAILED:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_SSL_INVALIDCERTSTATUS:
        case CURLE_SSL_SHUTDOWN_FAILED:
            return TransportError::tls;
        case CURLE_FILESIZE_EXCEEDED:
            return TransportError::response_too_large;
        default:
            return TransportError::other;
    }
}

}  // namespace tally::platform

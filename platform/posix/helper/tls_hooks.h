#pragma once
// What CurlTransport needs from the TLS library under libcurl, one implementation per
// libcurl build, chosen by CMake (TALLY_HELPER_TLS, platform/posix/helper/CMakeLists.txt):
//
// * tls_hooks_openssl.cpp (Linux): libcurl on OpenSSL 3. CURLOPT_SSL_CTX_FUNCTION reaches the
//   SSL_CTX: the server key's SPKI is read at handshake end, the session ticket is kept
//   across helper runs (tls_session_file.h), groups and signature algorithms are trimmed.
// * tls_hooks_certinfo.cpp (macOS): the system libcurl, whose TLS library is not ours to
//   reach into (LibreSSL or Secure Transport). The SPKI comes from CURLINFO_CERTINFO's PEM of
//   the server certificate (certificate_spki.h); no session outlives the helper process.

#include <curl/curl.h>

#include <string>

namespace tally::platform {

//! What one transfer's TLS hooks share with CurlTransport::send().
struct TlsState {
    std::string stored_session;  //!< from the session file, offered for resumption
    std::string new_session;     //!< the latest session the server granted, to store
    bool offered_session = false;
    bool resumed = false;
    std::string server_spki;  //!< hex SHA-256 of the server certificate's SPKI
};

//! Whether this build keeps TLS sessions across helper runs (the session file).
bool tls_sessions_across_runs();

//! Sets the TLS-library-specific options of `c`; `state` outlives the transfer.
void install_tls_hooks(CURL* c, TlsState& state);

//! After curl_easy_perform: fills what the transfer revealed (the server SPKI).
void collect_tls_facts(CURL* c, TlsState& state);

}  // namespace tally::platform

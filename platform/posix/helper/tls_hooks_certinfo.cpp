// TLS hooks for a libcurl whose TLS library is not OpenSSL 3 (tls_hooks.h): macOS's system
// libcurl. Only libcurl's own options: the server certificate from CURLINFO_CERTINFO, the
// key exchange groups by CURLOPT_SSL_EC_CURVES (ignored by a backend without it), and no
// TLS session kept beyond the helper process (libcurl has no portable session export
// before 8.12): each helper run makes one full handshake.

#include <string_view>

#include "platform/posix/helper/certificate_spki.h"
#include "platform/posix/helper/tls_hooks.h"

namespace tally::platform {

bool tls_sessions_across_runs() {
    return false;
}

void install_tls_hooks(CURL* c, TlsState& /*state*/) {
    curl_easy_setopt(c, CURLOPT_CERTINFO, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_EC_CURVES, "X25519:P-256:P-384");
}

void collect_tls_facts(CURL* c, TlsState& state) {
    // certinfo[0] is the server's own certificate; each entry is "Name:value", the PEM of
    // the certificate under "Cert:" (libcurl's OpenSSL/LibreSSL and Secure Transport
    // backends alike). The list is the handle's: not freed here.
    curl_certinfo* info = nullptr;
    if (curl_easy_getinfo(c, CURLINFO_CERTINFO, &info) != CURLE_OK || info == nullptr ||
        info->num_of_certs < 1)
        return;
    constexpr std::string_view kCert = "Cert:";
    for (const curl_slist* field = info->certinfo[0]; field != nullptr; field = field->next) {
        const std::string_view entry(field->data);
        if (entry.starts_with(kCert)) {
            state.server_spki = certificate_spki_sha256_hex(entry.substr(kCert.size()));
            return;
        }
    }
}

}  // namespace tally::platform

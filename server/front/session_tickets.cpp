// Session-ticket policy of the HTTPS front (see session_tickets.h).

#include "server/front/session_tickets.h"

namespace tally::server {
namespace {

int keep_ticket_data(SSL*, void*) {
    return 1;
}

// Called once OpenSSL has tried to decrypt a client's ticket. A ticket that decrypted is
// used as it is: returning USE (not USE_RENEW) means no new ticket follows the resumed
// handshake, in TLS 1.3 as in 1.2. A missing or stale ticket gets a fresh one.
SSL_TICKET_RETURN use_without_renewal(SSL*, SSL_SESSION*, const unsigned char*, size_t,
                                      SSL_TICKET_STATUS status, void*) {
    switch (status) {
        case SSL_TICKET_SUCCESS:
        case SSL_TICKET_SUCCESS_RENEW:
            return SSL_TICKET_RETURN_USE;
        default:
            return SSL_TICKET_RETURN_IGNORE_RENEW;
    }
}

}  // namespace

void configure_session_tickets(SSL_CTX* ctx) {
    SSL_CTX_set_num_tickets(ctx, 1);
    SSL_CTX_set_timeout(ctx, kSessionLifetimeSeconds);
    SSL_CTX_set_session_ticket_cb(ctx, keep_ticket_data, use_without_renewal, nullptr);
}

}  // namespace tally::server

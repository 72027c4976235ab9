#pragma once
// TLS session tickets sized for agents that upload once an hour through a helper that
// lives for one request: one ticket after a full handshake, none after a resumed one, and a
// ticket lifetime of a day, so a device pays for a certificate and a ticket once a day
// instead of a ticket (~240 B) on every upload (issue 16's wire budget).
//
// The trade-off: a resumed client presents the same ticket all day, so an observer of the
// network can link that day's connections of one device to each other (RFC 8446 §C.4
// recommends single-use tickets). Devices already reveal themselves by address and
// schedule; the ticket reveals nothing inside the TLS stream. Tickets are encrypted with
// keys OpenSSL makes at start, so a restart ends every session.

#include <openssl/ssl.h>

namespace tally::server {

inline constexpr long kSessionLifetimeSeconds = 24 * 60 * 60;

//! Applies the ticket policy above to a server context.
void configure_session_tickets(SSL_CTX* ctx);

}  // namespace tally::server

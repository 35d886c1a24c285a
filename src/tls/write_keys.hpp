#pragma once
// What teapot follows of a connection's write keys, so that it can seal a record
// of its own between OpenSSL's (tls-alert: OpenSSL 3 sends no alert on request
// but close_notify). TLS 1.3's server traffic secret comes from the key log
// callback, and moves on at each KeyUpdate the server sends (one derivation
// then, as OpenSSL makes its own); TLS 1.2 derives its keys when needed from the
// session. The records written since the keys last changed are the sequence
// number that the next record's nonce needs (RFC 8446 §5.3, RFC 5246 §6.1).
// Both stay in memory, never logged: docs/tls.md, "Record faults".

#include <cstdint>
#include <vector>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace teapot::detail::tls {

struct write_keys {
    /// TLS 1.3: server_application_traffic_secret_N, the current one; empty until the key
    /// log gives secret_0 (only with --tls-alerts), or after a derivation failed.
    std::vector<unsigned char> secret;
    std::uint64_t records = 0;  ///< records written under the current write keys
};

/// Makes every connection of `context` count its records (a message callback: a call a
/// record), and with `traffic_secrets` keep TLS 1.3's secret too (the key log: OpenSSL
/// formats every secret of every handshake in hex first, 11 to 12 % of a handshake's
/// instructions, so it is --tls-alerts' choice: docs/performance.md).
void follow_write_keys(SSL_CTX* context, bool traffic_secrets);

/// Points `ssl`'s callbacks at `keys`; again whenever `keys` moves. Returns false when
/// OpenSSL cannot allocate the link (then the keys stay unknown and tls-alert refuses).
bool attach_write_keys(SSL* ssl, write_keys* keys) noexcept;

}  // namespace teapot::detail::tls

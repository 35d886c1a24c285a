#pragma once
// The OpenSSL side of an HTTPS listener: which certificate it presents, which
// protocol versions and application protocols it speaks. One per listener,
// shared by its connections (OpenSSL's SSL_CTX is safe to share once set up).

#include "tls/certificates.hpp"

#include <boost/asio/ssl/context.hpp>

#include <string>

namespace teapot::detail::tls {

/// What a TLS listener serves: its certificate chain (the leaf first, then any
/// intermediates) and the leaf's key, both PEM.
struct server_identity {
    std::string chain_pem;
    std::string key_pem;
};

enum class protocol_version { tls1_0, tls1_1, tls1_2, tls1_3 };

/// How a listener departs from the defaults: the certificate cases and protocol pins.
struct context_settings {
    protocol_version min_version = protocol_version::tls1_2;
    protocol_version max_version = protocol_version::tls1_3;
    /// OpenSSL's security level 0 (default: Debian's 2): what TLS 1.0 and 1.1, an RSA 1024
    /// key and a SHA-1 signature need to be served at all.
    bool legacy = false;
    /// Non-empty: mutual TLS. Every client must present a certificate issued by this CA (PEM),
    /// else the handshake fails (TLS 1.2) or its first read does (TLS 1.3, alert 116).
    std::string client_ca_pem{};
    /// Session resumption: tickets and the session cache. Off for the no-resumption case,
    /// where every connection costs a full handshake.
    bool resumption = true;
    /// ALPN offers h2 before http/1.1: the listener's connections speak HTTP/2 (wire/h2_connection),
    /// under TLS 1.2 or later (RFC 9113 §9.2: a TLS 1.0 or 1.1 connection is offered http/1.1 alone).
    bool http2 = false;
    /// With http2: ALPN offers h2 alone (an HTTP/2 case's listener); a client offering only other
    /// protocols gets the no_application_protocol alert.
    bool http2_only = false;
    /// Keep TLS 1.3's traffic secret for tls-alert (tls/write_keys.hpp): the key log, on every handshake.
    bool traffic_secrets = false;
};

/// A server context for `identity`: by default TLS 1.2 and 1.3, ALPN `http/1.1` (and `h2` first with
/// settings.http2; a client that
/// offers only other protocols gets the no_application_protocol alert, RFC 7301 §3.2),
/// session tickets on, as clients expect. Throws std::runtime_error with OpenSSL's
/// reason when the certificate or the key does not load or do not match.
boost::asio::ssl::context make_server_context(const server_identity& identity, const context_settings& settings = {});

}  // namespace teapot::detail::tls

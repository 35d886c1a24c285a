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

/// A server context for `identity`: TLS 1.2 and 1.3, ALPN `http/1.1` (a client that
/// offers only other protocols gets the no_application_protocol alert, RFC 7301 §3.2),
/// session tickets on, as clients expect. Throws std::runtime_error with OpenSSL's
/// reason when the certificate or the key does not load or do not match.
boost::asio::ssl::context make_server_context(const server_identity& identity);

}  // namespace teapot::detail::tls

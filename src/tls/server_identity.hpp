#pragma once
// What the HTTPS listener presents, from the options: the user's own certificate,
// or a leaf issued at start by the user's CA or by one minted now.

#include "tls/server_context.hpp"

#include <teapot/options.hpp>

#include <string>

namespace teapot::detail::tls {

struct listener_identity {
    server_identity serve;
    std::string ca_certificate_pem;  ///< what clients trust; empty for the user's own certificate
    credentials ca;                  ///< the CA with its key, for the TLS cases; empty when none is known
    leaf_request names;              ///< what the minted leaf names, for the cases' leaves
};

/// The leaf names localhost, 127.0.0.1, ::1, `host` (unless it is an unspecified address:
/// 0.0.0.0 or ::) and `options.names`. Throws std::invalid_argument when only half of a
/// certificate-and-key pair is given, std::runtime_error when OpenSSL refuses one.
listener_identity identity_for(const tls_options& options, const std::string& host);

}  // namespace teapot::detail::tls

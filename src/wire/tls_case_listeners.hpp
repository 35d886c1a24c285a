#pragma once
// The TLS cases' listeners (--tls-cases, or a scenario's tls_cases:): each case on an
// ephemeral port of its own with a context of its own, and the certificate cases
// also by SNI name for the main HTTPS port (docs/tls.md, "The TLS cases").

#include "tls/server_identity.hpp"
#include "tls/sni_selection.hpp"
#include "wire/connection.hpp"
#include "wire/io_pool.hpp"
#include "wire/listener.hpp"

#include <teapot/tls_cases.hpp>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace teapot::detail {

class connection_tracker;

struct case_listeners {
    std::vector<std::shared_ptr<listener>> listeners;  ///< bound, not started
    std::vector<tls_case_listing> listing;
    std::shared_ptr<tls::sni_selection> by_name;  ///< the certificate cases, for the main port
};

/// Each TLS case (or those named in `only`) bound on `where` (its port 0: an ephemeral port
/// each), its connections configured as `base` but for their context. Listed with URLs on
/// `host`, or on localhost for a loopback or wildcard host: the certificate cases are about
/// names, and a client checks the name of the URL it was given. Throws std::invalid_argument
/// without the CA's key (the cases issue certificates), and what a bind throws.
case_listeners bind_tls_cases(io_pool& pool, const tcp::endpoint& where, const std::string& host,
                              const tls::listener_identity& identity, const connection_config& base,
                              connection_tracker& tracker, const std::set<std::string>* only);

}  // namespace teapot::detail

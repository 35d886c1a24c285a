#pragma once
// The listeners of --tls-cases (server_options::tls.cases), as the server lists
// them: GET /__teapot/tls, server::tls_cases() and the CLI's start-up lines.

#include <cstdint>
#include <string>

namespace teapot {

/// One TLS case: a listener whose certificate or protocol is wrong in one way (docs/tls.md).
struct tls_case_listing {
    std::string name;  ///< "expired"; also its SNI name on the main HTTPS port: expired.localhost
    std::string url;   ///< "https://localhost:PORT"
    std::uint16_t port = 0;
    /// A certificate case's name on the main HTTPS port ("expired.localhost": a ClientHello naming it
    /// gets this case's certificate there); empty for the others.
    std::string sni;
    std::string presents;  ///< what it serves, one line
    std::string verdict;   ///< what a client that verifies against the CA reports
};

}  // namespace teapot

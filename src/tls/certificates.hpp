#pragma once
// Certificates minted at start, in memory, with OpenSSL 3's C API (no `openssl`
// command is run): a CA, and leaves it issues. Validity windows are relative to
// now, so nothing a run mints has expired in CI, and nothing outlives the run
// unless --ca-out writes it.

#include <chrono>
#include <string>
#include <vector>

namespace teapot::detail::tls {

/// A certificate and its private key, both PEM. The key never reaches a log.
struct credentials {
    std::string certificate_pem;
    std::string key_pem;
};

/// What a leaf says. Names go into subjectAltName (RFC 6125 §6.4.4: clients read
/// the SAN, not the CN, when there is one); validity is relative to the moment of issue.
struct leaf_request {
    std::string common_name = "localhost";
    std::vector<std::string> dns_names{"localhost"};
    std::vector<std::string> ip_addresses{"127.0.0.1", "::1"};
    std::chrono::seconds valid_from{-3600};  ///< an hour back: clocks of client and server differ
    std::chrono::seconds valid_for{std::chrono::hours{24 * 30}};
};

/// A new certificate authority: an EC P-256 key, self-signed, CA:TRUE, allowed to
/// sign certificates; valid from an hour ago for ten years. Throws std::runtime_error
/// with OpenSSL's reason when OpenSSL fails.
credentials make_certificate_authority(const std::string& common_name);

/// A server certificate (serverAuth) for `request`, with a new EC P-256 key, signed
/// by `issuer` with SHA-256. Throws std::runtime_error when `issuer` does not parse,
/// a name or address is malformed, or OpenSSL fails.
credentials issue_leaf(const credentials& issuer, const leaf_request& request);

}  // namespace teapot::detail::tls

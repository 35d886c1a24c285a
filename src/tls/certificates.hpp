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

/// The key a leaf gets: EC P-256 as every certificate teapot serves by default; RSA 1024
/// for the weak-key case (below every client's default security level).
enum class key_kind { ec_p256, rsa_1024 };
/// The digest the issuer signs with: SHA-1 for the sha1 case (refused by OpenSSL 3 clients).
enum class signature_digest { sha256, sha1 };

/// What a leaf is for: a server (serverAuth) or a client of mutual TLS (clientAuth).
enum class leaf_purpose { server, client };

/// What a leaf says. Names go into subjectAltName (RFC 6125 §6.4.4: clients read
/// the SAN, not the CN, when there is one); validity is relative to the moment of issue.
struct leaf_request {
    std::string common_name = "localhost";
    std::vector<std::string> dns_names{"localhost"};
    std::vector<std::string> ip_addresses{"127.0.0.1", "::1"};
    std::chrono::seconds valid_from{-3600};  ///< an hour back: clocks of client and server differ
    std::chrono::seconds valid_for{std::chrono::hours{24 * 30}};
    key_kind key = key_kind::ec_p256;
    signature_digest digest = signature_digest::sha256;
    leaf_purpose purpose = leaf_purpose::server;
};

/// A new certificate authority: an EC P-256 key, self-signed, CA:TRUE, allowed to
/// sign certificates; valid from an hour ago for ten years. Throws std::runtime_error
/// with OpenSSL's reason when OpenSSL fails.
credentials make_certificate_authority(const std::string& common_name);

/// A certificate for `request` (serverAuth, or clientAuth for a client leaf), with a new EC P-256 key, signed
/// by `issuer` with SHA-256. Throws std::runtime_error when `issuer` does not parse,
/// a name or address is malformed, or OpenSSL fails.
credentials issue_leaf(const credentials& issuer, const leaf_request& request);

/// An intermediate CA (CA:TRUE, at most `path_length` CAs below it) issued by `issuer`,
/// with a new EC P-256 key.
credentials issue_intermediate(const credentials& issuer, const std::string& common_name, int path_length = 0);

/// A leaf that signs itself (no CA: the self-signed case).
credentials make_self_signed_leaf(const leaf_request& request);

}  // namespace teapot::detail::tls

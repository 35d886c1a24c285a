#pragma once
// Hex digests by OpenSSL, as HTTP Digest authentication (RFC 7616) computes them.

#include <optional>
#include <string>
#include <string_view>

namespace teapot::detail {

/// The lower-case hex digest of `data` by `algorithm` ("MD5", "SHA-256" or "SHA-512", as
/// RFC 7616 names them); nullopt for another name.
std::optional<std::string> hex_digest(std::string_view algorithm, std::string_view data);

}  // namespace teapot::detail

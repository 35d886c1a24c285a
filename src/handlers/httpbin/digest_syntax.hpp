#pragma once
// The Digest credentials of an Authorization field as httpbin's Werkzeug 2.2
// reads them (parse_authorization_header): "Digest" and a comma-separated list of
// name=value, values quoted or not. Fuzzed through fuzz/httpbin.cpp.

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::detail::httpbin {

/// The parameters, when the field is Digest credentials with username, realm, nonce, uri and
/// response (and nc and cnonce when qop is given); nullopt otherwise, as Werkzeug's None.
std::optional<std::map<std::string, std::string>> parse_digest_credentials(std::string_view field);

}  // namespace teapot::detail::httpbin

#pragma once
// Base64 (RFC 4648 §4), by Beast's codec: the journal's exact bytes, httpbin's data URLs.

#include <optional>
#include <string>
#include <string_view>

namespace teapot::detail {

std::string base64_encode(std::string_view bytes);

/// The bytes of `text` when it is base64 with its padding (a length that is a multiple of 4,
/// at most two "=" at the end, nothing outside the alphabet); nullopt otherwise.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace teapot::detail

#pragma once
// Base64 (RFC 4648 §4), by Beast's codec: the journal's exact bytes, httpbin's data URLs.

#include <string>
#include <string_view>

namespace teapot::detail {

std::string base64_encode(std::string_view bytes);

}  // namespace teapot::detail

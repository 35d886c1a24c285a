#pragma once
// A body in HTTP/1.1's chunked coding (RFC 9112 §7.1): one chunk, the last chunk, and
// the trailer section. A plan says what the trailers are; how they travel is the
// protocol's (HTTP/2 would send them as a HEADERS frame).

#include "plan/response_plan.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace teapot::detail {

/// `body` as one chunk (none when empty), "0\r\n", each trailer field, and the empty line.
std::string chunked_body(std::string_view body, const std::vector<header_field>& trailers);

}  // namespace teapot::detail

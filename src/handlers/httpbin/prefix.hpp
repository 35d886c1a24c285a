#pragma once
// --httpbin-prefix (go-httpbin's -prefix): what a prefix may be, checked once at start.

#include <string>
#include <string_view>

namespace teapot::detail::httpbin {

/// Why `prefix` cannot be httpbin's prefix, or "" when it can: "/" then path segments of
/// unreserved characters (RFC 3986 §2.3) separated by "/", no "/" at the end, not the admin API's.
std::string prefix_problem(std::string_view prefix);

}  // namespace teapot::detail::httpbin

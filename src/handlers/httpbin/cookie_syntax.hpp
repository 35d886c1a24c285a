#pragma once
// Cookies as httpbin's Werkzeug 2.2 reads and writes them: the Cookie field's
// pairs (quoted values unescaped), and a Set-Cookie line with the value quoted
// where it must be. Fuzzed: fuzz/cookie_syntax.cpp.

#include "plan/request.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace teapot::detail::httpbin {

/// The pairs of a Cookie field value, in order: "a=1; b=\"x\\073y\"; c" gives a=1, b=x;y, c="".
/// Werkzeug's reading: a value ends at the first ";" unless it is a quoted string, blanks
/// around names and values go, a pair without a name is skipped, a quoted value loses its
/// quotes and its escapes (\" and \\, \073 in octal).
std::vector<std::pair<std::string, std::string>> parse_cookie_field(std::string_view field);

/// The request's cookies: its Cookie fields joined with "; " (RFC 9113 §8.2.3: what the client
/// meant by several), then read as above.
std::vector<std::pair<std::string, std::string>> request_cookies(const request& req);

/// A cookie value as Werkzeug writes it: as it is when every byte is a letter, a digit or one
/// of /=!#$%&'*+-.^_`|~: and else quoted, with " and \ escaped, "," ";" and bytes outside
/// printable ASCII as \ooo octal. Never a byte that could end the field.
std::string quoted_cookie_value(std::string_view value);

}  // namespace teapot::detail::httpbin

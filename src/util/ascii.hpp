#pragma once
// Case-insensitive comparison of ASCII text, as HTTP's field names, tokens and
// schemes are compared (RFC 9110 §5.1).

#include <string>
#include <string_view>

namespace teapot::detail {

/// Case-insensitive (ASCII) equality of two strings of the same length.
bool iequal_bytes(std::string_view a, std::string_view b) noexcept;
/// Case-insensitive (ASCII) equality. The lengths are compared here, inline: most
/// comparisons (a field name against the one looked for) stop at them.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && iequal_bytes(a, b);
}
/// `s` with A-Z lowered, nothing else changed (no locale: a field name, a host, an extension).
std::string ascii_lower(std::string_view s);

}  // namespace teapot::detail

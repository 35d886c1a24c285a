#pragma once
// One parser for a number written alone: a query value, a YAML scalar, a flag.

#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace teapot::detail {

/// The whole of `text` as a T: an integer (in `base`) or a finite floating-point number.
/// nullopt for an empty text, a byte std::from_chars does not take (a '+', a space, a
/// trailing unit) or a value out of T's range.
template <typename T>
std::optional<T> parse_whole(std::string_view text, int base = 10) noexcept {
    T value{};
    const auto* last = text.data() + text.size();
    std::from_chars_result result;
    if constexpr (std::is_floating_point_v<T>)
        result = std::from_chars(text.data(), last, value);
    else
        result = std::from_chars(text.data(), last, value, base);
    if (result.ec != std::errc{} || result.ptr != last) return std::nullopt;
    if constexpr (std::is_floating_point_v<T>)
        if (!std::isfinite(value)) return std::nullopt;
    return value;
}

}  // namespace teapot::detail

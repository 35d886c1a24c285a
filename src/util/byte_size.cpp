#include "util/byte_size.hpp"

#include <charconv>
#include <cstdint>

namespace teapot::detail {

std::optional<std::size_t> parse_byte_size(std::string_view text) noexcept {
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || end == text.data()) return std::nullopt;
    std::string_view unit{end, static_cast<std::size_t>(text.data() + text.size() - end)};
    std::uint64_t scale = 0;
    if (unit.empty() || unit == "B")
        scale = 1;
    else if (unit == "KiB")
        scale = 1024;
    else if (unit == "MiB")
        scale = 1024 * 1024;
    else if (unit == "GiB")
        scale = 1024ull * 1024 * 1024;
    else if (unit == "KB")
        scale = 1000;
    else if (unit == "MB")
        scale = 1000 * 1000;
    else if (unit == "GB")
        scale = 1000ull * 1000 * 1000;
    else
        return std::nullopt;
    if (n > UINT64_MAX / scale) return std::nullopt;
    return static_cast<std::size_t>(n * scale);
}

}  // namespace teapot::detail

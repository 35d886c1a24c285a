#include "util/byte_size.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <utility>

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

std::string format_byte_size(std::size_t bytes) {
    constexpr std::size_t kib = 1024, mib = 1024 * kib, gib = 1024 * mib;
    if (bytes < kib) return std::to_string(bytes) + " bytes";
    const auto [unit, name] = bytes >= gib   ? std::pair{gib, "GiB"}
                              : bytes >= mib ? std::pair{mib, "MiB"}
                                             : std::pair{kib, "KiB"};
    if (bytes % unit == 0) return std::to_string(bytes / unit) + " " + name;
    std::array<char, 32> out{};
    std::snprintf(out.data(), out.size(), "%.1f %s", static_cast<double>(bytes) / static_cast<double>(unit), name);
    return out.data();
}

}  // namespace teapot::detail

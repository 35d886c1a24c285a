#pragma once
// Sizes as people write them: "16384", "16KiB", "1MiB" (also KB/MB as 1000s).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::detail {

std::optional<std::size_t> parse_byte_size(std::string_view text) noexcept;

/// For messages: "512 bytes", "16 KiB", "1.5 MiB" (one decimal, none when whole).
std::string format_byte_size(std::size_t bytes);

}  // namespace teapot::detail

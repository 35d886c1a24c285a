#pragma once
// Sizes as people write them: "16384", "16KiB", "1MiB" (also KB/MB as 1000s).

#include <cstddef>
#include <optional>
#include <string_view>

namespace teapot::detail {

std::optional<std::size_t> parse_byte_size(std::string_view text) noexcept;

}  // namespace teapot::detail

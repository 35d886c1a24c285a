#pragma once
// How far apart two short names are, to suggest the one meant ("did you mean ...?").

#include <cstddef>
#include <string_view>

namespace teapot::detail {

/// Levenshtein distance, ASCII case aside. Quadratic: callers bound the lengths.
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace teapot::detail

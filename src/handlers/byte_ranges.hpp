#pragma once
// The Range request header (RFC 9110 §14.1.2), bytes unit only.

#include <cstddef>
#include <string_view>
#include <vector>

namespace teapot::detail {

struct byte_range {
    std::size_t first;
    std::size_t last;  ///< inclusive
};

struct range_request {
    enum class outcome {
        ignore,         ///< absent, another unit or malformed: a server MAY ignore it (§14.2)
        satisfiable,    ///< `ranges` holds at least one range, clipped to the length
        unsatisfiable,  ///< no range overlaps the representation: 416 (§15.5.17)
    };
    outcome result = outcome::ignore;
    std::vector<byte_range> ranges;
};

inline constexpr std::size_t max_ranges = 16;

/// Evaluates `header` against a representation of `length` bytes.
range_request evaluate_range(std::string_view header, std::size_t length);

}  // namespace teapot::detail

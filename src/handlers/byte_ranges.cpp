#include "handlers/byte_ranges.hpp"

#include "plan/request.hpp"
#include "util/field_syntax.hpp"
#include "util/whole_number.hpp"

#include <optional>

namespace teapot::detail {
namespace {

std::optional<std::size_t> number(std::string_view s) { return parse_whole<std::size_t>(s); }

}  // namespace

range_request evaluate_range(std::string_view header, std::size_t length) {
    range_request out;
    header = trim_ows(header);
    // Range units are case-insensitive (RFC 9110 §14.1).
    if (header.size() < 6 || !iequals(header.substr(0, 6), "bytes=")) return out;
    header.remove_prefix(6);

    std::vector<byte_range> ranges;
    std::size_t specs = 0;
    while (true) {
        auto comma = header.find(',');
        auto spec = trim_ows(header.substr(0, comma));
        if (spec.empty()) {
            // Empty list elements are skipped (RFC 9110 §5.6.1.2).
            if (comma == std::string_view::npos) break;
            header.remove_prefix(comma + 1);
            continue;
        }
        auto dash = spec.find('-');
        if (dash == std::string_view::npos || ++specs > max_ranges) return out;
        auto first = number(spec.substr(0, dash));
        auto last = number(spec.substr(dash + 1));
        if (dash == 0) {
            // suffix-range "-N": the last N bytes (§14.1.2).
            if (!last) return out;
            if (*last > 0 && length > 0) ranges.push_back({length - std::min(*last, length), length - 1});
        } else {
            if (!first || (dash + 1 < spec.size() && !last) || (last && *last < *first)) return out;
            if (*first < length) ranges.push_back({*first, std::min(last.value_or(length - 1), length - 1)});
        }
        if (comma == std::string_view::npos) break;
        header.remove_prefix(comma + 1);
    }
    if (specs == 0) return out;
    out.result = ranges.empty() ? range_request::outcome::unsatisfiable : range_request::outcome::satisfiable;
    out.ranges = std::move(ranges);
    return out;
}

}  // namespace teapot::detail

#include "plan/request.hpp"

#include <algorithm>

namespace teapot::detail {

std::string_view request::header(std::string_view name) const noexcept {
    for (const auto& [n, v] : headers)
        if (iequals(n, name)) return v;
    return {};
}

bool request::has_header(std::string_view name) const noexcept {
    return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return iequals(h.first, name); });
}

}  // namespace teapot::detail

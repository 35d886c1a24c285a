#include "http/request.hpp"

#include <algorithm>

namespace teapot::detail {

bool iequal_bytes(std::string_view a, std::string_view b) noexcept {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

std::string_view request::header(std::string_view name) const noexcept {
    for (const auto& [n, v] : headers)
        if (iequals(n, name)) return v;
    return {};
}

bool request::has_header(std::string_view name) const noexcept {
    return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return iequals(h.first, name); });
}

}  // namespace teapot::detail

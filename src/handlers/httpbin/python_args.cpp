#include "handlers/httpbin/python_args.hpp"

#include "util/ascii.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace teapot::detail::httpbin {

const std::string* first_arg(const std::vector<query_param>& params, std::string_view name) {
    auto it = std::find_if(params.begin(), params.end(), [name](auto& p) { return iequals(p.key, name); });
    return it == params.end() ? nullptr : &it->value;
}

bool is_python_blank(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view python_strip(std::string_view s) noexcept {
    while (!s.empty() && is_python_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_python_blank(s.back())) s.remove_suffix(1);
    return s;
}

std::optional<std::string_view> werkzeug_digits(std::string_view segment) noexcept {
    if (segment.empty() || !std::all_of(segment.begin(), segment.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    return segment.substr(std::min(segment.find_first_not_of('0'), segment.size() - 1));
}

std::optional<std::size_t> werkzeug_count(std::string_view segment, std::size_t cap) noexcept {
    const auto digits = werkzeug_digits(segment);
    if (!digits) return std::nullopt;
    std::size_t value = 0;
    for (char c : *digits) value = std::min(value * 10 + static_cast<std::size_t>(c - '0'), cap);
    return value;
}

std::optional<long long> python_int(std::string_view v) {
    v = python_strip(v);
    bool negative = false;
    if (!v.empty() && (v.front() == '+' || v.front() == '-')) {
        negative = v.front() == '-';
        v.remove_prefix(1);
    }
    if (v.empty() || v.front() == '_' || v.back() == '_') return std::nullopt;
    long long value = 0;
    char previous = 0;
    for (char c : v) {
        if (c == '_' && previous != '_') {
            previous = c;
            continue;
        }
        if (c < '0' || c > '9') return std::nullopt;
        value = std::min(value * 10 + (c - '0'), 1'000'000'000LL);  // anything that large is out of range alike
        previous = c;
    }
    return negative ? -value : value;
}

std::optional<double> python_float(std::string_view text) {
    text = python_strip(text);
    if (text.starts_with('+')) text.remove_prefix(1);
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace teapot::detail::httpbin

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

std::optional<long long> python_int(std::string_view v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
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
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    if (text.starts_with('+')) text.remove_prefix(1);
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace teapot::detail::httpbin

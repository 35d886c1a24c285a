#include "handlers/status_spec.hpp"

#include "util/random_source.hpp"
#include "util/whole_number.hpp"

#include <cmath>

namespace teapot::detail {

std::optional<int> parse_status_code(std::string_view text) noexcept {
    // Exactly three digits: "0200" or "2e2" are not status codes (RFC 9110 §15).
    if (text.size() != 3) return std::nullopt;
    int code = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        code = code * 10 + (c - '0');
    }
    if (code < 100 || code > 599) return std::nullopt;
    return code;
}

std::optional<status_spec> parse_status_spec(std::string_view text, std::string& error) {
    static constexpr std::string_view valid =
        "a status code is three digits from 100 to 599; pick among several with 200,503 "
        "or by weight with 200:0.9,503:0.1";
    status_spec spec;
    if (text.empty()) {
        error = std::string{"missing status code: "} + std::string{valid};
        return std::nullopt;
    }
    double total = 0;
    while (true) {
        auto comma = text.find(',');
        auto member = text.substr(0, comma);
        auto colon = member.find(':');
        auto code_text = member.substr(0, colon);
        auto code = parse_status_code(code_text);
        if (!code) {
            error = "invalid status code '" + std::string{code_text} + "': " + std::string{valid};
            return std::nullopt;
        }
        double weight = 1.0;
        if (colon != std::string_view::npos) {
            auto w = member.substr(colon + 1);
            const auto parsed = parse_whole<double>(w);
            weight = parsed.value_or(-1);
            if (!parsed || weight < 0) {
                error = "invalid weight '" + std::string{w} + "' for " + std::to_string(*code) +
                        ": a weight is a non-negative number, e.g. 200:0.9,503:0.1";
                return std::nullopt;
            }
        }
        if (spec.members.size() == max_spec_members) {
            error = "too many status codes: at most " + std::to_string(max_spec_members) + " may be listed";
            return std::nullopt;
        }
        spec.members.push_back({*code, weight});
        total += weight;
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    if (!(total > 0) || !std::isfinite(total)) {
        error = "the weights add up to " + std::to_string(total) + ": at least one must be positive";
        return std::nullopt;
    }
    return spec;
}

int status_spec::pick(random_source& random) const {
    if (members.size() == 1) return members.front().code;
    double total = 0;
    for (const auto& m : members) total += m.weight;
    double target = random.next_unit() * total;
    for (const auto& m : members) {
        if (target < m.weight) return m.code;
        target -= m.weight;
    }
    // Rounding can leave target a hair above the last positive weight.
    for (auto it = members.rbegin(); it != members.rend(); ++it)
        if (it->weight > 0) return it->code;
    return members.back().code;
}

}  // namespace teapot::detail

#include "faults/delay.hpp"

#include "util/duration.hpp"
#include "util/whole_number.hpp"

#include <cmath>
#include <numbers>
#include <vector>

namespace teapot::detail {
namespace {

std::vector<std::string_view> split_commas(std::string_view text) {
    std::vector<std::string_view> parts;
    for (;;) {
        auto comma = text.find(',');
        parts.push_back(text.substr(0, comma));
        if (comma == std::string_view::npos) return parts;
        text.remove_prefix(comma + 1);
    }
}

}  // namespace

std::chrono::milliseconds delay_spec::upper_bound() const noexcept {
    switch (how) {
        case kind::fixed: return value;
        case kind::uniform: return high;
        case kind::lognormal: return max;
    }
    return value;
}

std::chrono::milliseconds delay_spec::draw(const std::function<double()>& unit) const {
    switch (how) {
        case kind::fixed: return value;
        case kind::uniform: {
            auto span = static_cast<double>((high - low).count()) + 1;  // both ends included
            auto offset = static_cast<long long>(std::floor(unit() * span));
            return std::min(low + std::chrono::milliseconds{offset}, high);
        }
        case kind::lognormal: {
            // Box–Muller: two uniforms give one standard normal; 1 - u keeps the log finite.
            double u1 = 1.0 - unit(), u2 = unit();
            double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
            double ms = static_cast<double>(median.count()) * std::exp(sigma * z);
            if (!std::isfinite(ms) || ms > static_cast<double>(max.count())) return max;
            return std::chrono::milliseconds{std::llround(ms)};
        }
    }
    return value;
}

bool valid_delay_spec(const delay_spec& spec, std::string& error) {
    if (spec.how == delay_spec::kind::uniform && spec.low > spec.high) {
        error = "a uniform delay needs its low bound first, such as [100ms, 300ms]";
        return false;
    }
    if (spec.how == delay_spec::kind::lognormal) {
        if (!(spec.sigma > 0 && spec.sigma <= 10)) {
            error = "a lognormal delay needs a sigma above 0 and at most 10, such as 0.4";
            return false;
        }
        if (spec.median > spec.max) {
            error = "a lognormal delay needs its median no larger than its max";
            return false;
        }
    }
    return true;
}

std::optional<delay_spec> parse_delay_knob(std::string_view text, std::string& error) {
    delay_spec spec;
    if (text.starts_with("uniform:")) {
        auto parts = split_commas(text.substr(8));
        auto low = parts.size() == 2 ? parse_duration(parts[0]) : std::nullopt;
        auto high = parts.size() == 2 ? parse_duration(parts[1]) : std::nullopt;
        if (!low || !high) {
            error = "expected uniform:LOW,HIGH such as uniform:100ms,300ms";
            return std::nullopt;
        }
        spec.how = delay_spec::kind::uniform;
        spec.low = *low;
        spec.high = *high;
    } else if (text.starts_with("lognormal:")) {
        auto parts = split_commas(text.substr(10));
        auto median = parts.size() == 3 ? parse_duration(parts[0]) : std::nullopt;
        auto sigma = parts.size() == 3 ? parse_whole<double>(parts[1]) : std::nullopt;
        auto max = parts.size() == 3 ? parse_duration(parts[2]) : std::nullopt;
        if (!median || !sigma || !max) {
            error = "expected lognormal:MEDIAN,SIGMA,MAX such as lognormal:80ms,0.4,2s";
            return std::nullopt;
        }
        spec.how = delay_spec::kind::lognormal;
        spec.median = *median;
        spec.sigma = *sigma;
        spec.max = *max;
    } else {
        auto d = parse_duration(text);
        if (!d) {
            error = "expected a duration such as 250ms, uniform:100ms,300ms or lognormal:80ms,0.4,2s";
            return std::nullopt;
        }
        spec.value = *d;
    }
    if (!valid_delay_spec(spec, error)) return std::nullopt;
    return spec;
}

}  // namespace teapot::detail

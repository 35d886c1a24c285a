#include "util/duration.hpp"

#include "util/whole_number.hpp"

#include <cmath>

namespace teapot::detail {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept {
    auto unit_at = text.find_first_not_of("0123456789.");
    if (unit_at == 0 || unit_at == std::string_view::npos) return std::nullopt;
    std::string_view number = text.substr(0, unit_at), unit = text.substr(unit_at);
    if (number.front() == '.' || number.back() == '.') return std::nullopt;

    const auto parsed = parse_whole<double>(number);
    if (!parsed) return std::nullopt;
    const double value = *parsed;

    double scale = 0;
    if (unit == "ms")
        scale = 1;
    else if (unit == "s")
        scale = 1e3;
    else if (unit == "m")
        scale = 60e3;
    else if (unit == "h")
        scale = 3600e3;
    else
        return std::nullopt;

    double ms = value * scale;
    if (!std::isfinite(ms) || ms > 86'400e3) return std::nullopt;
    return std::chrono::milliseconds{static_cast<long long>(std::llround(ms))};
}

std::string format_duration(std::chrono::milliseconds d) {
    auto ms = d.count();
    if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
    if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

double elapsed_ms(std::chrono::steady_clock::time_point since) {
    if (since == std::chrono::steady_clock::time_point{}) return 0;
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace teapot::detail

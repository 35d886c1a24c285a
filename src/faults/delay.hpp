#pragma once
// Time to first byte: a fixed delay, or one drawn per request from a uniform or
// a log-normal distribution (real latencies are skewed: most fast, a long tail).
// Drawn from the caller's random stream, so a seed replays the delays.

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::detail {

struct delay_spec {
    enum class kind { fixed, uniform, lognormal };
    kind how = kind::fixed;
    std::chrono::milliseconds value{0};  ///< fixed
    std::chrono::milliseconds low{0};    ///< uniform: [low, high]
    std::chrono::milliseconds high{0};
    std::chrono::milliseconds median{0};  ///< lognormal: median × e^(sigma·Z), Z standard normal,
    double sigma = 0;                     ///< at most max
    std::chrono::milliseconds max{0};

    static delay_spec constant(std::chrono::milliseconds d) { return delay_spec{kind::fixed, d}; }
    bool random() const noexcept { return how != kind::fixed; }
    /// The largest delay this spec can give.
    std::chrono::milliseconds upper_bound() const noexcept;
    /// A delay; `unit` gives numbers in [0, 1) (one draw for uniform, two for lognormal, none for fixed).
    std::chrono::milliseconds draw(const std::function<double()>& unit) const;
};

/// The ?delay= forms: "150ms", "uniform:100ms,300ms", "lognormal:80ms,0.4,2s"
/// (median, sigma, max). nullopt with `error` set when malformed.
std::optional<delay_spec> parse_delay_knob(std::string_view text, std::string& error);

/// Checks a uniform or lognormal spec's values: low ≤ high, sigma in (0, 10], median ≤ max.
bool valid_delay_spec(const delay_spec& spec, std::string& error);

}  // namespace teapot::detail

// Delays drawn from their distributions: the bounds, and the shape (a uniform
// spreads evenly, a log-normal has the median and the spread asked for).

#include <catch2/catch.hpp>

#include "faults/delay.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

using namespace teapot::detail;
using ms = std::chrono::milliseconds;

namespace {

std::vector<double> draws(const delay_spec& spec, int count) {
    std::mt19937_64 engine{42};
    std::uniform_real_distribution<double> in_unit{0.0, 1.0};
    const std::function<double()> unit = [&] { return in_unit(engine); };
    std::vector<double> out;
    for (int i = 0; i < count; ++i) out.push_back(static_cast<double>(spec.draw(unit).count()));
    return out;
}

double median_of(std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return v[v.size() / 2];
}

}  // namespace

TEST_CASE("delay draws: fixed takes no draw", "[faults][delay]") {
    int calls = 0;
    const std::function<double()> unit = [&] { return ++calls, 0.5; };
    CHECK(delay_spec::constant(ms{150}).draw(unit) == ms{150});
    CHECK(calls == 0);
}

TEST_CASE("delay draws: uniform covers [low, high] evenly", "[faults][delay]") {
    delay_spec spec{delay_spec::kind::uniform};
    spec.low = ms{100};
    spec.high = ms{300};
    auto v = draws(spec, 4000);
    CHECK(*std::min_element(v.begin(), v.end()) >= 100);
    CHECK(*std::max_element(v.begin(), v.end()) <= 300);
    CHECK(*std::min_element(v.begin(), v.end()) <= 102);  // both ends are reached
    CHECK(*std::max_element(v.begin(), v.end()) >= 298);
    const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    CHECK(mean == Approx(200).margin(5));
    const auto below_150 = std::count_if(v.begin(), v.end(), [](double d) { return d < 150; });
    CHECK(static_cast<double>(below_150) / static_cast<double>(v.size()) == Approx(0.25).margin(0.03));
}

TEST_CASE("delay draws: lognormal has the median and sigma asked for, capped at max", "[faults][delay]") {
    delay_spec spec{delay_spec::kind::lognormal};
    spec.median = ms{80};
    spec.sigma = 0.4;
    spec.max = ms{2000};
    auto v = draws(spec, 4000);
    CHECK(median_of(v) == Approx(80).margin(3));
    std::vector<double> logs;
    for (double d : v) logs.push_back(std::log(std::max(d, 1.0)));
    const double mean = std::accumulate(logs.begin(), logs.end(), 0.0) / static_cast<double>(logs.size());
    double square = 0;
    for (double l : logs) square += (l - mean) * (l - mean);
    CHECK(std::sqrt(square / static_cast<double>(logs.size())) == Approx(0.4).margin(0.03));
    CHECK(*std::max_element(v.begin(), v.end()) <= 2000);

    // A low max clips the tail: P(80 ms · e^(0.4 Z) ≥ 90 ms) = P(Z ≥ 0.294) ≈ 0.384.
    spec.max = ms{90};
    auto capped = draws(spec, 4000);
    CHECK(*std::max_element(capped.begin(), capped.end()) == 90);
    const auto at_max = std::count(capped.begin(), capped.end(), 90.0);
    CHECK(static_cast<double>(at_max) / static_cast<double>(capped.size()) == Approx(0.384).margin(0.04));
}

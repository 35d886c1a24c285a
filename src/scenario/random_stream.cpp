#include "scenario/random_stream.hpp"

namespace teapot::detail::scenario {
namespace {

constexpr std::uint64_t fnv_offset = 0xcbf29ce484222325ULL;
constexpr std::uint64_t fnv_prime = 0x100000001b3ULL;

std::uint64_t fnv1a(std::uint64_t hash, unsigned char byte) noexcept { return (hash ^ byte) * fnv_prime; }

std::uint64_t fnv1a(std::uint64_t hash, std::string_view text) noexcept {
    for (char c : text) hash = fnv1a(hash, static_cast<unsigned char>(c));
    return hash;
}

// splitmix64's output function (Steele, Lea, Flood 2014).
std::uint64_t splitmix64(std::uint64_t x) noexcept {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

std::uint64_t stream_seed(std::uint64_t seed, std::string_view scenario, std::string_view route) noexcept {
    std::uint64_t hash = fnv_offset;
    // Byte by byte, low first: the same on every platform whatever its endianness.
    for (int i = 0; i < 8; ++i) hash = fnv1a(hash, static_cast<unsigned char>(seed >> (8 * i)));
    hash = fnv1a(hash, scenario);
    // The separator keeps ("ab", "c") and ("a", "bc") apart; names cannot hold a NUL.
    hash = fnv1a(hash, static_cast<unsigned char>(0));
    hash = fnv1a(hash, route);
    return splitmix64(hash);
}

std::uint64_t session_stream_seed(std::uint64_t route_seed, std::string_view session_key) noexcept {
    if (session_key.empty()) return route_seed;
    std::uint64_t hash = fnv_offset;
    for (int i = 0; i < 8; ++i) hash = fnv1a(hash, static_cast<unsigned char>(route_seed >> (8 * i)));
    return splitmix64(fnv1a(hash, session_key));
}

double next_unit(std::mt19937_64& engine) noexcept {
    // Drawn by hand from 53 bits, as util/random_source does.
    return static_cast<double>(engine() >> 11) * 0x1.0p-53;
}

std::size_t pick_weighted(std::span<const double> weights, double unit) noexcept {
    double total = 0;
    for (double w : weights) total += w;
    const double target = unit * total;
    double cumulative = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
        cumulative += weights[i];
        if (target < cumulative) return i;
    }
    return weights.empty() ? 0 : weights.size() - 1;
}

}  // namespace teapot::detail::scenario

#pragma once
// The random streams of scenarios. Each (scenario, route, session) draws from
// its own engine, seeded from the seed, the scenario name and the route id but
// not from the session key: every session replays the same draws whatever its
// id, a run replays with the same seed, and adding a route changes no other
// route's draws. Everything here is specified bit for bit (no std::
// distribution, whose output is implementation-defined), so a seed means the
// same draws with any standard library.

#include <cstdint>
#include <random>
#include <span>
#include <string_view>

namespace teapot::detail::scenario {

/// FNV-1a (64-bit) over the seed's 8 bytes (little-endian), the scenario name,
/// a NUL, and the route id; then splitmix64's finalizer, so that near-identical
/// names give unrelated engine seeds.
std::uint64_t stream_seed(std::uint64_t seed, std::string_view scenario, std::string_view route) noexcept;

/// A number in [0, 1) from the engine's top 53 bits.
double next_unit(std::mt19937_64& engine) noexcept;

/// The index whose cumulative weight first exceeds `unit` × (sum of `weights`);
/// weights are positive. The last index when rounding leaves nothing else.
std::size_t pick_weighted(std::span<const double> weights, double unit) noexcept;

}  // namespace teapot::detail::scenario

#pragma once
// The random streams of scenarios. Each (scenario, route, session) draws from
// its own engine, seeded from the seed, the scenario name, the route id and the
// session key: sessions draw different sequences (a flaky upstream is not
// flaky when every test sees the same jitter), a session key draws the same
// sequence run after run with the same seed, and adding a route changes no
// other route's draws. Everything here is specified bit for bit (no std::
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

/// The engine seed of one session's stream on a route: FNV-1a (64-bit) over
/// `route_seed`'s 8 bytes (little-endian) and the session key, through
/// splitmix64. The global session (the empty key) draws `route_seed` itself.
std::uint64_t session_stream_seed(std::uint64_t route_seed, std::string_view session_key) noexcept;

/// A number in [0, 1) from the engine's top 53 bits.
double next_unit(std::mt19937_64& engine) noexcept;

/// The index whose cumulative weight first exceeds `unit` × (sum of `weights`);
/// weights are positive. The last index when rounding leaves nothing else.
std::size_t pick_weighted(std::span<const double> weights, double unit) noexcept;

}  // namespace teapot::detail::scenario

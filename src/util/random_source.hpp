#pragma once
// The server's random stream. Seeded (--seed) it replays the same sequence of
// choices run to run, in the order requests draw from it; a mutex keeps that
// order well-defined when several threads draw. Unseeded, it draws a seed of
// its own, which seed() tells, so that a run can be replayed.

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>

namespace teapot::detail {

class random_source {
public:
    explicit random_source(std::optional<std::uint64_t> seed);

    /// A number in [0, 1).
    double next_unit();

    /// 64 bits of the stream (a UUID's randomness).
    std::uint64_t next_bits();

    std::uint64_t seed() const noexcept { return seed_; }

    /// 64 bits from std::random_device (which yields 32 at a time): a seed when none is given.
    static std::uint64_t entropy();

private:
    std::uint64_t seed_;
    std::mutex mutex_;
    std::mt19937_64 engine_;
};

}  // namespace teapot::detail

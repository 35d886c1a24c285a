#include "util/random_source.hpp"

namespace teapot::detail {

random_source::random_source(std::optional<std::uint64_t> seed)
    : seed_(seed ? *seed : std::random_device{}()), engine_(seed_) {}

double random_source::next_unit() {
    std::lock_guard lock{mutex_};
    // Drawn by hand from 53 bits: std::uniform_real_distribution's output is
    // implementation-defined, and a seed must mean the same choices everywhere.
    return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

}  // namespace teapot::detail

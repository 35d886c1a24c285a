#include "util/random_source.hpp"

namespace teapot::detail {

std::uint64_t random_source::entropy() {
    std::random_device device;
    return (std::uint64_t{device()} << 32) ^ device();
}

random_source::random_source(std::optional<std::uint64_t> seed) : seed_(seed ? *seed : entropy()), engine_(seed_) {}

double random_source::next_unit() {
    std::lock_guard lock{mutex_};
    // Drawn by hand from 53 bits: std::uniform_real_distribution's output is
    // implementation-defined, and a seed must mean the same choices everywhere.
    return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

std::uint64_t random_source::next_bits() {
    std::lock_guard lock{mutex_};
    return engine_();
}

}  // namespace teapot::detail

#include "faults/garbage.hpp"

#include <random>

namespace teapot::detail {

std::string garbage_bytes(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 engine{seed};
    std::string bytes(n, '\0');
    for (std::size_t i = 0; i < n; i += 8) {
        auto word = engine();
        for (std::size_t b = 0; b < 8 && i + b < n; ++b) bytes[i + b] = static_cast<char>((word >> (8 * b)) & 0xff);
    }
    // A client that finds "HTTP/" first parses a status line, and a test of garbage would test
    // something else. A leading 'H' (one seed in 256) gets its high bit set instead: still
    // deterministic, and the other bytes stay as drawn.
    if (!bytes.empty() && bytes[0] == 'H') bytes[0] = static_cast<char>('H' | 0x80);
    return bytes;
}

std::string undecryptable_tls_record() {
    constexpr std::size_t noise = 64;
    std::string record{'\x17', '\x03', '\x03', '\x00', static_cast<char>(noise)};
    return record + garbage_bytes(noise, 0x7ea907);
}

}  // namespace teapot::detail

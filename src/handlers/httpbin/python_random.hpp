#pragma once
// Python's random module as httpbin's /bytes and /stream-bytes draw from it:
// random.seed(int) (MT19937 seeded by init_by_array with the integer's 32-bit
// words) and randint(0, 255), so that ?seed=N gives httpbin's bytes exactly.

#include <cstdint>
#include <random>
#include <string_view>

namespace teapot::detail::httpbin {

class python_random {
public:
    /// random.seed(n) for the integer `decimal` ("-12", "007": its absolute value, as Python).
    /// Digits only after an optional sign; the caller checks that (python_int_text).
    explicit python_random(std::string_view decimal);

    /// randint(0, 255): getrandbits(9), drawn again while it is 256 or more.
    unsigned char byte();

private:
    std::mt19937 engine_;
};

}  // namespace teapot::detail::httpbin

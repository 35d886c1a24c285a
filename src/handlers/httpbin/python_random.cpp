#include "handlers/httpbin/python_random.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace teapot::detail::httpbin {
namespace {

constexpr std::size_t n = 624;

// The integer's 32-bit words, least significant first (CPython's random_seed), from its digits.
std::vector<std::uint32_t> words_of(std::string_view decimal) {
    if (!decimal.empty() && (decimal.front() == '-' || decimal.front() == '+')) decimal.remove_prefix(1);
    std::vector<std::uint32_t> words{0};
    for (char c : decimal) {
        if (c < '0' || c > '9') continue;  // "_" between digits, as int() allows
        std::uint64_t carry = static_cast<std::uint64_t>(c - '0');
        for (auto& w : words) {
            const std::uint64_t v = std::uint64_t{w} * 10 + carry;
            w = static_cast<std::uint32_t>(v);
            carry = v >> 32;
        }
        if (carry) words.push_back(static_cast<std::uint32_t>(carry));
    }
    return words;
}

// MT19937's init_by_array (Matsumoto and Nishimura's reference, which CPython uses).
std::array<std::uint32_t, n> init_by_array(const std::vector<std::uint32_t>& key) {
    std::array<std::uint32_t, n> mt{};
    mt[0] = 19650218u;
    for (std::size_t i = 1; i < n; ++i)
        mt[i] = 1812433253u * (mt[i - 1] ^ (mt[i - 1] >> 30)) + static_cast<std::uint32_t>(i);
    std::size_t i = 1, j = 0;
    for (std::size_t k = std::max(n, key.size()); k; --k) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525u)) + key[j] + static_cast<std::uint32_t>(j);
        ++i;
        ++j;
        if (i >= n) {
            mt[0] = mt[n - 1];
            i = 1;
        }
        if (j >= key.size()) j = 0;
    }
    for (std::size_t k = n - 1; k; --k) {
        mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941u)) - static_cast<std::uint32_t>(i);
        ++i;
        if (i >= n) {
            mt[0] = mt[n - 1];
            i = 1;
        }
    }
    mt[0] = 0x80000000u;
    return mt;
}

// A seed sequence that hands std::mt19937 these words as its state: seed(seq) takes the
// words generate() writes as X(-n)..X(-1) ([rand.eng.mers]), and the engine then continues
// exactly as CPython's generator does after init_by_array. (Writing the 624 words out as
// text and reading them back, as before, cost more than drawing 1 KiB.)
struct state_words {
    using result_type = std::uint32_t;  // what the standard library asks of a seed sequence
    const std::array<std::uint32_t, n>& words;
    template <typename It>
    void generate(It first, It last) const {
        std::copy_n(words.begin(), std::min<std::size_t>(n, static_cast<std::size_t>(last - first)), first);
    }
};

}  // namespace

python_random::python_random(std::string_view decimal) {
    // The engine the last seed made on this thread, kept: a suite asks for the same seed
    // again and again, and init_by_array was a sixth of /bytes/1024?seed=1's time (perf).
    thread_local std::string last_seed;
    thread_local std::mt19937 last_engine;
    if (!last_seed.empty() && last_seed == decimal) {
        engine_ = last_engine;
        return;
    }
    const auto words = init_by_array(words_of(decimal));
    state_words seq{words};
    engine_.seed(seq);
    if (decimal.size() <= 64) {  // a seed of any length is valid; one that long is not worth keeping
        last_seed = decimal;
        last_engine = engine_;
    }
}

unsigned char python_random::byte() {
    while (true) {
        const auto r = engine_() >> 23;  // getrandbits(9): the top 9 bits of one 32-bit draw
        if (r < 256) return static_cast<unsigned char>(r);
    }
}

}  // namespace teapot::detail::httpbin

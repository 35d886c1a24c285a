#pragma once
// What this test process holds: the server under test runs in it.

#include <unistd.h>

#include <cstddef>
#include <fstream>

namespace teapot::test {

/// Whether RSS follows what the server frees: AddressSanitizer keeps freed blocks in its
/// quarantine (256 MiB), so a test of a memory bound can only measure without it.
#ifdef __SANITIZE_ADDRESS__
inline constexpr bool rss_follows_frees = false;
#else
inline constexpr bool rss_follows_frees = true;
#endif

/// This process's resident set, in bytes (/proc/self/statm).
inline std::size_t rss_bytes() {
    std::ifstream statm{"/proc/self/statm"};
    std::size_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace teapot::test

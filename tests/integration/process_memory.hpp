#pragma once
// What this test process holds: the server under test runs in it.

#include <unistd.h>

#include <cstddef>
#include <fstream>

namespace teapot::test {

/// This process's resident set, in bytes (/proc/self/statm).
inline std::size_t rss_bytes() {
    std::ifstream statm{"/proc/self/statm"};
    std::size_t pages = 0, resident = 0;
    statm >> pages >> resident;
    return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace teapot::test

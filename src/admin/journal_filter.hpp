#pragma once
// Which journal entries a query, a wait or a reset is about.

#include <cstdint>
#include <optional>
#include <string>

namespace teapot::detail {

struct journal_filter {
    std::optional<std::string> session;
    std::optional<std::string> scenario;
    std::optional<std::string> route;
    std::optional<std::string> path;
    std::optional<std::uint64_t> since;  ///< entries with a larger id only
};

}  // namespace teapot::detail

#pragma once
// The scenarios in force: loaded from the configured paths, swapped whole on
// reload. Requests take a reference to the current player, so a reload never
// disturbs a request in flight, and a broken edit never replaces a good set.

#include "scenario/loader.hpp"
#include "scenario/player.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace teapot::detail::scenario {

class registry {
public:
    registry(std::vector<std::string> paths, player_limits limits);

    /// Parses every path; on success the new player serves from now on and the
    /// result lists what was loaded. On errors nothing changes.
    load_result reload();

    /// The player in force; null before the first successful load.
    std::shared_ptr<player> current() const noexcept { return current_.load(std::memory_order_acquire); }

    const std::vector<std::string>& paths() const noexcept { return paths_; }

private:
    std::vector<std::string> paths_;
    player_limits limits_;
    std::mutex reload_mutex_;  // one reload at a time (inotify and SIGHUP may race)
    std::atomic<std::shared_ptr<player>> current_;
};

}  // namespace teapot::detail::scenario

#pragma once
// The scenarios in force: loaded from the configured paths, swapped whole on
// reload. Requests take a reference to the current player, so a reload never
// disturbs a request in flight, and a broken edit never replaces a good set.

#include "scenario/loader.hpp"
#include "scenario/player.hpp"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace teapot::detail::scenario {

struct reload_result {
    load_result loaded;      ///< what was loaded, or the errors (and then nothing changed)
    reload_changes changes;  ///< against the previous set; empty on the first load
};

class registry {
public:
    registry(std::vector<std::string> paths, player_limits limits);

    /// Parses every path; on success the new player serves from now on, carrying
    /// over what the previous one had for unchanged routes (player::take_over).
    /// On errors nothing changes.
    reload_result reload();

    /// Plays `req` on the current player (again, when a reload retires the one it
    /// started on). Empty result before the first successful load.
    play_result play(const request& req, bool before_body = false) const;

    /// player::reset on the current player, never during a reload. False when
    /// `scenario` is not loaded.
    bool reset(const std::optional<std::string>& scenario, const std::optional<std::string>& session);

    /// The player in force; null before the first successful load.
    std::shared_ptr<player> current() const {
        std::lock_guard lock{current_mutex_};
        return current_;
    }

    const std::vector<std::string>& paths() const noexcept { return paths_; }

private:
    void publish(std::shared_ptr<player> next);

    std::vector<std::string> paths_;
    player_limits limits_;
    std::mutex reload_mutex_;  // one reload at a time (inotify and SIGHUP may race)
    // A plain mutex rather than std::atomic<std::shared_ptr>: libstdc++ 12 implements
    // that with a lock bit TSan cannot see (a reported race on every swap), and it is
    // a spinlock anyway. Held only to copy or replace the pointer.
    mutable std::mutex current_mutex_;
    std::shared_ptr<player> current_;
};

}  // namespace teapot::detail::scenario

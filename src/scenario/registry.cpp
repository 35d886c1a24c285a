#include "scenario/registry.hpp"

#include <utility>

namespace teapot::detail::scenario {

registry::registry(std::vector<std::string> paths, player_limits limits) : paths_(std::move(paths)), limits_(limits) {}

reload_result registry::reload() {
    std::lock_guard lock{reload_mutex_};
    reload_result out;
    out.loaded = load_scenario_paths(paths_);
    if (!out.loaded.ok()) return out;
    auto previous = current();
    player_limits limits = limits_;
    // Scenarios without a seed keep the one drawn for the first set: unchanged routes keep their streams.
    if (previous && !limits.seed) limits.seed = previous->default_seed();
    auto next = std::make_shared<player>(out.loaded.scenarios, limits);
    if (!previous) {
        publish(std::move(next));
        return out;
    }
    out.changes = next->take_over(*previous, [&] { publish(next); });
    return out;
}

void registry::publish(std::shared_ptr<player> next) {
    std::shared_ptr<player> old;  // released after the lock: a retired player may be the last owner
    std::lock_guard lock{current_mutex_};
    old = std::exchange(current_, std::move(next));
}

bool registry::reset(const std::optional<std::string>& scenario, const std::optional<std::string>& session) {
    // Under the reload lock: a reload in progress would carry the state over from before the reset.
    std::lock_guard lock{reload_mutex_};
    auto p = current();
    return p ? p->reset(scenario, session) : !scenario;
}

play_result registry::play(const request& req, bool before_body) const {
    // A request meets a retired player only in the instant of a swap; a handful of
    // reloads in a row would be needed to retire it twice.
    constexpr int attempts = 16;
    play_result result;
    for (int i = 0; i < attempts; ++i) {
        auto p = current();
        if (!p) return {};
        result = p->play(req, before_body);
        if (!result.retired) return result;
    }
    result.retired = false;  // reloads without end: answer as unmatched rather than spin
    return result;
}

}  // namespace teapot::detail::scenario

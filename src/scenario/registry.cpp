#include "scenario/registry.hpp"

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
        current_.store(std::move(next), std::memory_order_release);
        return out;
    }
    out.changes = next->take_over(*previous, [&] { current_.store(next, std::memory_order_release); });
    return out;
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

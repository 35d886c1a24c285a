#include "scenario/registry.hpp"

namespace teapot::detail::scenario {

registry::registry(std::vector<std::string> paths, player_limits limits) : paths_(std::move(paths)), limits_(limits) {}

load_result registry::reload() {
    std::lock_guard lock{reload_mutex_};
    auto loaded = load_scenario_paths(paths_);
    if (!loaded.ok()) return loaded;
    auto next = std::make_shared<player>(loaded.scenarios, limits_);
    current_.store(std::move(next), std::memory_order_release);
    return loaded;
}

}  // namespace teapot::detail::scenario

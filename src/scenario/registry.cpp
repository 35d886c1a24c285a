#include "scenario/registry.hpp"

#include <algorithm>
#include <utility>

namespace teapot::detail::scenario {

registry::registry(std::vector<std::string> paths, player_limits limits) : paths_(std::move(paths)), limits_(limits) {}

reload_result registry::reload() {
    std::lock_guard lock{reload_mutex_};
    reload_result out;
    out.loaded = load_scenario_paths(paths_);
    if (!out.loaded.ok()) return out;
    from_files_ = out.loaded.scenarios;
    out.changes = install(compose());
    return out;
}

reload_result registry::load_text(std::string_view yaml, const std::string& label,
                                  const std::optional<std::filesystem::path>& base_dir) {
    std::lock_guard lock{reload_mutex_};
    reload_result out;
    out.loaded = load_scenario_text(yaml, label, base_dir);
    if (!out.loaded.ok()) return out;
    auto& sc = out.loaded.scenarios.front();
    if (!base_dir) sc.file.clear();  // text, not a file: nothing to point at
    removed_.erase(sc.name);
    loaded_.insert_or_assign(sc.name, sc);
    out.changes = install(compose());
    return out;
}

bool registry::remove(const std::string& name) {
    std::lock_guard lock{reload_mutex_};
    auto p = current();
    if (!p) return false;
    const auto& in_force = p->scenarios();
    if (std::none_of(in_force.begin(), in_force.end(), [&](const scenario& sc) { return sc.name == name; }))
        return false;
    loaded_.erase(name);
    removed_.insert(name);
    install(compose());
    return true;
}

std::vector<scenario> registry::compose() const {
    std::vector<scenario> out;
    for (const auto& sc : from_files_)
        if (!removed_.count(sc.name) && !loaded_.count(sc.name)) out.push_back(sc);
    for (const auto& [name, sc] : loaded_) out.push_back(sc);
    return out;
}

reload_changes registry::install(std::vector<scenario> scenarios) {
    auto previous = current();
    player_limits limits = limits_;
    // Scenarios without a seed keep the one drawn for the first set: unchanged routes keep their streams.
    if (previous && !limits.seed) limits.seed = previous->default_seed();
    auto next = std::make_shared<player>(std::move(scenarios), limits);
    if (!previous) {
        publish(std::move(next));
        return {};
    }
    return next->take_over(*previous, [&] { publish(next); });
}

void registry::publish(std::shared_ptr<player> next) {
    std::shared_ptr<player> old;  // released after the lock: a retired player may be the last owner
    std::lock_guard lock{current_mutex_};
    any_scenario_.store(next && !next->scenarios().empty(), std::memory_order_release);
    old = std::exchange(current_, std::move(next));
}

bool registry::reset(const std::optional<std::string>& scenario, const std::optional<std::string>& session) {
    // Under the reload lock: a reload in progress would carry the state over from before the reset.
    std::lock_guard lock{reload_mutex_};
    auto p = current();
    return p ? p->reset(scenario, session) : !scenario;
}

bool registry::set_state(const std::string& scenario, const std::string& session, std::optional<std::string> state) {
    std::lock_guard lock{reload_mutex_};
    auto p = current();
    return p && p->set_state(scenario, session, std::move(state));
}

play_result registry::play(const request& req, bool before_body) const {
    // A request meets a retired player only in the instant of a swap; a handful of
    // reloads in a row would be needed to retire it twice.
    constexpr int attempts = 16;
    if (!any_scenario_.load(std::memory_order_acquire)) return {};
    play_result result;
    for (int i = 0; i < attempts; ++i) {
        auto p = current();
        if (!p || p->scenarios().empty()) return {};
        result = p->play(req, before_body);
        if (!result.retired) return result;
    }
    result.retired = false;  // reloads without end: answer as unmatched rather than spin
    return result;
}

}  // namespace teapot::detail::scenario

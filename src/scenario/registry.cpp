#include "scenario/registry.hpp"

#include "util/byte_size.hpp"

#include <algorithm>
#include <numeric>
#include <utility>

namespace teapot::detail::scenario {
namespace {

std::size_t total_bytes(const std::vector<scenario>& set) {
    return std::accumulate(set.begin(), set.end(), std::size_t{0},
                           [](std::size_t sum, const scenario& sc) { return sum + sc.resolved_bytes; });
}

// One error about the whole set: no line of a file to point at.
load_error budget_error(std::string file, std::string message) {
    load_error e;
    e.where.file = std::move(file);
    e.message = std::move(message);
    return e;
}

}  // namespace

registry::registry(std::vector<std::string> paths, player_limits limits, std::size_t max_scenario_bytes)
    : paths_(std::move(paths)), limits_(std::move(limits)), max_scenario_bytes_(max_scenario_bytes) {
    // One quota budget for every player this registry makes: a reload carries windows over.
    if (!limits_.quota) limits_.quota = std::make_shared<quota_budget>();
}

void registry::set_tls_cases(std::vector<std::string> known, std::optional<std::set<std::string>> served) {
    std::lock_guard lock{reload_mutex_};
    known_tls_cases_ = std::move(known);
    served_tls_cases_ = std::move(served);
}

std::vector<load_error> tls_case_errors(const std::vector<scenario>& scenarios, const std::vector<std::string>& known,
                                        const std::set<std::string>* served) {
    std::vector<load_error> errors;
    for (const auto& sc : scenarios) {
        for (const auto& c : sc.tls_cases) {
            if (std::find(known.begin(), known.end(), c.name) == known.end()) {
                std::string list;
                for (const auto& k : known) list.append(list.empty() ? "" : ", ").append(k);
                errors.push_back({c.where, "no TLS case '" + c.name + "'; expected one of: " + list});
            } else if (served && !served->count(c.name)) {
                // Listeners are bound at start: a case no scenario file of the start named has none.
                errors.push_back({c.where, "TLS case '" + c.name +
                                               "' is not served: name it in a scenario file given at start, or "
                                               "start with --tls-cases"});
            }
        }
    }
    return errors;
}

bool registry::check_tls_cases(load_result& loaded) const {
    if (loaded.ok())
        loaded.errors =
            tls_case_errors(loaded.scenarios, known_tls_cases_, served_tls_cases_ ? &*served_tls_cases_ : nullptr);
    if (loaded.ok()) return true;
    loaded.scenarios.clear();
    return false;
}

reload_result registry::reload() {
    std::lock_guard lock{reload_mutex_};
    reload_result out;
    out.loaded = load_scenario_paths(paths_);
    if (!check_tls_cases(out.loaded)) return out;
    std::vector<scenario> next;
    for (const auto& sc : out.loaded.scenarios)
        if (!removed_.count(sc.name) && !loaded_.count(sc.name)) next.push_back(sc);
    const std::size_t from_files = total_bytes(next);
    if (auto p = current())
        for (const auto& sc : p->scenarios())
            if (loaded_.count(sc.name)) next.push_back(sc);
    if (const auto total = total_bytes(next); total > max_scenario_bytes_) {
        std::string message = "the scenario files take ";
        message.append(format_byte_size(from_files)).append(" once their aliases are resolved");
        if (total > from_files)
            message.append(", and the scenarios loaded at run time ").append(format_byte_size(total - from_files));
        message.append(": more than --max-scenario-bytes (")
            .append(format_byte_size(max_scenario_bytes_))
            .append(") allows; expected smaller scenarios or a larger budget");
        out.loaded.errors.push_back(budget_error(paths_.empty() ? std::string{} : paths_.front(), std::move(message)));
        out.loaded.scenarios.clear();
        out.refused = reload_result::refusal::full;
        out.needed_bytes = from_files;
        out.other_bytes = total - from_files;
        return out;
    }
    out.changes = install(std::move(next));
    return out;
}

reload_result registry::load_text(std::string_view yaml, const std::string& label,
                                  const std::optional<std::filesystem::path>& base_dir) {
    std::lock_guard lock{reload_mutex_};
    reload_result out;
    out.loaded = load_scenario_text(yaml, label, base_dir);
    if (!check_tls_cases(out.loaded)) return out;
    auto& sc = out.loaded.scenarios.front();
    if (!base_dir) sc.file.clear();  // text, not a file: nothing to point at
    // Counted before anything is copied: a refused post costs no copy of the set in force.
    std::size_t others = 0;
    if (auto p = current())
        for (const auto& in_force : p->scenarios())
            if (in_force.name != sc.name) others += in_force.resolved_bytes;
    if (sc.resolved_bytes > max_scenario_bytes_ || others + sc.resolved_bytes > max_scenario_bytes_) {
        const bool alone = sc.resolved_bytes > max_scenario_bytes_;
        std::string message = "scenario '";
        message.append(sc.name).append("' takes ").append(format_byte_size(sc.resolved_bytes));
        message.append(" once its aliases are resolved");
        if (!alone) message.append(", and the other scenarios loaded ").append(format_byte_size(others));
        message.append(": more than --max-scenario-bytes (").append(format_byte_size(max_scenario_bytes_));
        message.append(alone ? ") allows for all scenarios together; expected a smaller scenario (fewer aliases)"
                             : ") allows; remove a scenario (DELETE /__teapot/scenarios/NAME) or load a smaller one");
        out.loaded.errors.push_back(budget_error(label, std::move(message)));
        out.loaded.scenarios.clear();
        out.refused = alone ? reload_result::refusal::too_large : reload_result::refusal::full;
        out.needed_bytes = sc.resolved_bytes;
        out.other_bytes = others;
        return out;
    }
    auto next = in_force_except(sc.name);
    next.push_back(sc);
    removed_.erase(sc.name);
    loaded_.insert(sc.name);
    out.changes = install(std::move(next));
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
    install(in_force_except(name));
    return true;
}

std::size_t registry::scenario_bytes() const {
    auto p = current();
    return p ? total_bytes(p->scenarios()) : 0;
}

std::vector<scenario> registry::in_force_except(const std::string& name) const {
    std::vector<scenario> out;
    if (auto p = current())
        for (const auto& sc : p->scenarios())
            if (sc.name != name) out.push_back(sc);
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

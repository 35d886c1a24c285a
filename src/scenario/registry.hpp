#pragma once
// The scenarios in force: those of the configured paths, plus those loaded at
// run time (the admin API, the C++ API), swapped whole on every change.
// Requests take a reference to the current player, so a change never disturbs
// a request in flight, and a broken edit never replaces a good set. The player
// holds the only copy of the scenarios in force, and together they stay within
// one budget, metered as the loader resolves them (scenario::resolved_bytes).

#include "scenario/loader.hpp"
#include "scenario/player.hpp"

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace teapot::detail::scenario {

struct reload_result {
    load_result loaded;      ///< what was loaded, or the errors (and then nothing changed)
    reload_changes changes;  ///< against the previous set; empty on the first load
    /// The text was valid but the budget refused it (loaded.errors says the numbers): too_large
    /// when it alone is over the budget, full when it would be with the scenarios in force.
    enum class refusal { none, too_large, full } refused = refusal::none;
    std::size_t needed_bytes = 0;  ///< refused: what the new set or scenario would take
    std::size_t other_bytes = 0;   ///< refused: what the scenarios it would join take
};

/// --max-scenario-bytes' default: every scenario in force together, as resolved.
inline constexpr std::size_t default_max_scenario_bytes = 64 * 1024 * 1024;

/// The errors of scenarios whose `tls_cases` name a case not in `known`, or (with `served`)
/// one not served: at the name. `teapot check` runs it with every case served.
std::vector<load_error> tls_case_errors(const std::vector<scenario>& scenarios, const std::vector<std::string>& known,
                                        const std::set<std::string>* served);

class registry {
public:
    registry(std::vector<std::string> paths, player_limits limits,
             std::size_t max_scenario_bytes = default_max_scenario_bytes);

    /// The TLS cases a scenario's `tls_cases` may name (`known`, every case), and those that
    /// are served (`served`; none: any known one, as while the start decides what to bind).
    /// A scenario naming one outside them fails to load, at the name.
    void set_tls_cases(std::vector<std::string> known, std::optional<std::set<std::string>> served);

    /// Parses every path; on success the new set (with the scenarios loaded at run
    /// time) serves from now on, carrying over what the previous player had for
    /// unchanged routes (player::take_over). On errors, or when the set would pass
    /// the budget, nothing changes.
    reload_result reload();

    /// Loads one scenario from YAML text and serves it beside the files' ones,
    /// replacing any scenario of the same name (a file's included) until it is
    /// removed. `label` names the text in errors; without `base_dir`, body_file
    /// is refused. On errors, or when it would pass the budget, nothing changes.
    reload_result load_text(std::string_view yaml, const std::string& label,
                            const std::optional<std::filesystem::path>& base_dir);

    /// Stops serving scenario `name`: a file's stays away until the server
    /// restarts or a scenario of that name is loaded again. False when not loaded.
    bool remove(const std::string& name);

    /// Plays `req` on the current player (again, when a reload retires the one it
    /// started on). Empty result when no scenario is loaded.
    play_result play(const request& req, bool before_body = false) const;
    /// Whether any scenario is loaded: without one, a request need not be played at all.
    bool has_scenarios() const noexcept { return any_scenario_.load(std::memory_order_acquire); }

    /// player::reset on the current player, never during a reload. False when
    /// `scenario` is not loaded.
    bool reset(const std::optional<std::string>& scenario, const std::optional<std::string>& session);

    /// player::set_state on the current player, never during a reload.
    bool set_state(const std::string& scenario, const std::string& session, std::optional<std::string> state);

    /// The player in force; null before the first successful load.
    std::shared_ptr<player> current() const {
        std::lock_guard lock{current_mutex_};
        return current_;
    }

    const std::vector<std::string>& paths() const noexcept { return paths_; }

    /// What the scenarios in force take, as metered (the sum of their resolved_bytes).
    std::size_t scenario_bytes() const;
    std::size_t max_scenario_bytes() const noexcept { return max_scenario_bytes_; }

private:
    /// The scenarios in force but those named `name`: a copy, for the next set.
    std::vector<scenario> in_force_except(const std::string& name) const;
    /// Makes `scenarios` the set in force. Caller holds reload_mutex_.
    reload_changes install(std::vector<scenario> scenarios);
    void publish(std::shared_ptr<player> next);

    std::vector<std::string> paths_;
    player_limits limits_;
    std::size_t max_scenario_bytes_;
    /// False, with `loaded`'s errors and nothing loaded, when it failed or names TLS cases
    /// not known or not served (set_tls_cases). Under reload_mutex_.
    bool check_tls_cases(load_result& loaded) const;

    std::mutex reload_mutex_;  // one change at a time (inotify, SIGHUP and the admin API may race)
    std::vector<std::string> known_tls_cases_;
    std::optional<std::set<std::string>> served_tls_cases_;
    std::set<std::string> loaded_;   // names of the scenarios loaded at run time (all in force)
    std::set<std::string> removed_;  // files' scenarios removed at run time
    // A plain mutex rather than std::atomic<std::shared_ptr>: libstdc++ 12 implements
    // that with a lock bit TSan cannot see (a reported race on every swap), and it is
    // a spinlock anyway. Held only to copy or replace the pointer.
    mutable std::mutex current_mutex_;
    std::shared_ptr<player> current_;
    // Whether the player in force has any scenario: a server without any skips the lock per request.
    std::atomic<bool> any_scenario_{false};
};

}  // namespace teapot::detail::scenario

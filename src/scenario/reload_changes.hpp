#pragma once
// What a hot reload changed, for the log line that says which routes start
// fresh: routes whose id and content are unchanged keep their cursors, quotas
// and random streams; changed and added routes start fresh.

#include <string>
#include <vector>

namespace teapot::detail::scenario {

struct reload_changes {
    /// A scenario loaded before and after the reload.
    struct scenario_changes {
        std::string name;
        std::vector<std::string> changed;  ///< same id, new content (or new seed): start fresh
        std::vector<std::string> added;
        std::vector<std::string> removed;
        /// isolate_by changed: sessions are keyed differently, so none carries over.
        bool sessions_dropped = false;
        bool empty() const noexcept { return changed.empty() && added.empty() && removed.empty() && !sessions_dropped; }
    };
    std::vector<std::string> added_scenarios;
    std::vector<std::string> removed_scenarios;
    std::vector<scenario_changes> kept_scenarios;  ///< in name order

    /// One line: "added scenario x; flaky: route r changed (starts fresh), route s added",
    /// or "no route changed".
    std::string to_string() const;
};

}  // namespace teapot::detail::scenario

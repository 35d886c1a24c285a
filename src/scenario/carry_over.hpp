#pragma once
// Hot reload: what of a scenario's sessions the next player takes over. A route
// continues (its cursors, quotas and random streams) when its id, content and
// stream seed are unchanged; the named states carry over while the scenario
// keeps its isolate_by.

#include "scenario/model.hpp"
#include "scenario/reload_changes.hpp"
#include "scenario/session_store.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace teapot::detail::scenario {

/// For each route of `next`, the index of the route of `previous` it continues, if
/// any; `report` gets the routes changed (start fresh), added and removed.
std::vector<std::optional<std::size_t>> continued_routes(const scenario& previous,
                                                         const std::vector<std::uint64_t>& previous_seeds,
                                                         const scenario& next,
                                                         const std::vector<std::uint64_t>& next_seeds,
                                                         reload_changes::scenario_changes& report);

/// Whether sessions are keyed alike in both (else none carries over).
bool same_isolation(const isolation& a, const isolation& b);

/// A session of the next player with `old`'s key, named state and age, and the
/// route states of the routes `kept` maps (next index → previous index) moved in.
session carried_session(session& old, std::size_t routes, const std::vector<std::optional<std::size_t>>& kept);

}  // namespace teapot::detail::scenario

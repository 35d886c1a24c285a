#pragma once
// What the admin API and the C++ API do alike, whatever carries the request:
// naming a route in a filter, verifying rules, resetting. HTTP and JSON stay
// in admin_handler; these take and return plain values, or say why they cannot.

#include "journal/journal.hpp"

#include <teapot/verification.hpp>

#include <optional>
#include <string>
#include <vector>

namespace teapot::detail {
namespace scenario {
class registry;
}

/// A route named without its scenario: fills `filter.scenario` when exactly one
/// loaded scenario has that route id. Returns why not otherwise (none has it, or
/// several: then the scenario must be named).
std::optional<std::string> resolve_route(journal_filter& filter, const scenario::registry* scenarios);

struct verify_query {
    /// "" is the global session. None: the global session too, unless a scenario whose
    /// rules are judged isolates sessions (then an error asks for the key).
    std::optional<std::string> session;
    std::optional<std::string> scenario;  ///< only this scenario's rules (or routes, for posted rules)
    std::string rules;                    ///< rules in YAML or JSON; empty: the scenarios' own expect rules
};

/// The verdict, or (when `error` is set) why nothing could be verified: an unknown
/// scenario, invalid posted rules, rules naming unknown routes, no rule at all, or no
/// session named while the rules judged are about an isolating scenario. Without a
/// scenario named and rules posted, the rules judged are those of the scenarios that
/// answered the session's requests: a scenario the session never touched is not its.
struct verify_outcome {
    verification verdict;
    std::optional<std::string> error;
    std::vector<std::string> invalid_rules;  ///< posted rules that did not parse: "rules:line:col: message"
};

verify_outcome verify(const verify_query& query, const scenario::registry* scenarios, const journal& requests);

/// Starts sequences over: cursors, named states, quotas and streams of every
/// scenario (or `scenario`), of every session (or `session`), and the journal's
/// matching entries. Returns why not when `scenario` is not loaded.
std::optional<std::string> reset(const std::optional<std::string>& scenario, const std::optional<std::string>& session,
                                 scenario::registry* scenarios, journal& requests);

}  // namespace teapot::detail

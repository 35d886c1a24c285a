#pragma once
// The `expect:` rules of a scenario, evaluated against what one session's
// client did, as the journal recorded it.

#include "journal/journal.hpp"
#include "scenario/model.hpp"

#include <teapot/verification.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace teapot::detail {

using rule_verdict = teapot::rule_result;

/// A request that followed a Retry-After may come this much early: clocks and
/// schedulers are not exact, a client that honours the header is not penalised.
constexpr std::chrono::milliseconds retry_after_tolerance{50};

/// The rule as a scenario file would write it: "{route: orders, count: 3}".
std::string describe(const scenario::expect_rule& rule);

/// One rule about the routes of `sc`, against `entries` (one session's, oldest first).
rule_verdict verify_rule(const scenario::scenario& sc, const scenario::expect_rule& rule,
                         const std::vector<journal_entry>& entries);

}  // namespace teapot::detail

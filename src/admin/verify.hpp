#pragma once
// The `expect:` rules of a scenario, evaluated against what one session's
// client did, as the journal recorded it.

#include "admin/journal.hpp"
#include "scenario/model.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace teapot::detail {

struct rule_verdict {
    std::string scenario;
    std::string rule;  ///< the rule as written: "{route: list-orders, count: 3}"
    bool passed = false;
    std::string detail;  ///< what was seen, in a sentence
};

/// A request that followed a Retry-After may come this much early: clocks and
/// schedulers are not exact, a client that honours the header is not penalised.
constexpr std::chrono::milliseconds retry_after_tolerance{50};

/// Every rule of `sc`, against `entries` (one session's, oldest first).
std::vector<rule_verdict> verify_rules(const scenario::scenario& sc, const std::vector<journal_entry>& entries);

}  // namespace teapot::detail

#pragma once
// The verdict of `expect:` rules against what one session's client did.

#include <string>
#include <vector>

namespace teapot {

/// One rule, judged.
struct rule_result {
    std::string scenario;  ///< whose rule (or whose routes it names)
    std::string rule;      ///< as written: "{route: orders, count: 3}"
    bool passed = false;
    std::string detail;  ///< what was seen, in a sentence
};

/// Every rule evaluated, and a readable diff of those that failed.
struct verification {
    bool passed = false;
    std::string session;  ///< the session judged ("" is the global one)
    std::vector<rule_result> rules;
    std::string diff;  ///< one line per failed rule: "scenario: rule: detail"
    /// On a failure with no scenario named: whose rules were judged, and how to narrow.
    std::string hint;
};

}  // namespace teapot

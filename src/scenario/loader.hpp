#pragma once
// Scenario files → validated model (yaml-cpp for the YAML). Strict: unknown
// keys, wrong types and bad values are errors with file, line and column and a
// sentence saying what is expected. Every error of a file is reported, not
// only the first.

#include "scenario/model.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace teapot::detail::scenario {

struct load_result {
    std::vector<scenario> scenarios;  ///< sorted by name; empty when there are errors
    std::vector<load_error> errors;
    bool ok() const noexcept { return errors.empty(); }
};

/// One scenario from YAML text. `file` labels errors and, without a `name:`,
/// gives the default name (its stem); `base_dir` is where body_file paths start
/// and what they may not escape (none: body_file is an error).
load_result load_scenario_text(std::string_view yaml, const std::string& file,
                               const std::optional<std::filesystem::path>& base_dir);

/// A list of expect rules on their own, YAML or JSON (the shape of a scenario's
/// `expect:`), as verify takes them in a request body. `label` names the source in errors.
struct rules_result {
    std::vector<expect_rule> rules;
    std::vector<load_error> errors;
    bool ok() const noexcept { return errors.empty(); }
};
rules_result load_expect_rules(std::string_view yaml, const std::string& label);

/// Every path is a scenario file or a directory whose *.yaml and *.yml files
/// (not recursive) are loaded in name order. Duplicate scenario names across
/// files are errors.
load_result load_scenario_paths(const std::vector<std::string>& paths);

}  // namespace teapot::detail::scenario

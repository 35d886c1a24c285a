#pragma once
// YAML → JSON for `json:` (step bodies and body matchers). YAML 1.2 core
// schema for plain scalars; a quoted scalar always stays a string.

#include <yaml-cpp/node/node.h>

#include <boost/json/value.hpp>

#include <string>
#include <vector>

namespace teapot::detail::scenario {

/// What went wrong inside a `json:` value, and where.
struct yaml_json_error {
    YAML::Mark mark;
    std::string message;
};

/// Converts a YAML node: mapping → object, sequence → array, true/false → bool,
/// integers → int64 (uint64 above its range), floats → double, null/~ → null,
/// other plain scalars and every quoted scalar → string. Nesting and size are
/// capped (aliases can make a small file expand enormously, or into a cycle).
/// On errors, returns null and appends to `errors`.
boost::json::value yaml_to_json(const YAML::Node& node, std::vector<yaml_json_error>& errors);

}  // namespace teapot::detail::scenario

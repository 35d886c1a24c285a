#pragma once
// A route's fingerprint, for hot reload (route::fingerprint): its YAML in a
// canonical form (layout and comments do not count) and a hash of every body it
// sends, through SHA-1.

#include "scenario/model.hpp"

#include <yaml-cpp/node/node.h>

#include <string>

namespace teapot::detail::scenario {

/// `node` is the route's YAML, `r` the route parsed from it (for its bodies).
std::string fingerprint_of(const YAML::Node& node, const route& r);

}  // namespace teapot::detail::scenario

#pragma once
// `teapot check PATH...`: validate scenario files without serving them.

#include <ostream>
#include <string>
#include <vector>

namespace teapot::cli {

/// Prints every error (file:line:col: message) to `err` and returns 1, or a
/// one-line summary to `out` and returns 0.
int check_scenarios(const std::vector<std::string>& paths, std::ostream& out, std::ostream& err);

}  // namespace teapot::cli

#pragma once
// `teapot codes`: the catalogue as a plain-text table.

#include <ostream>

namespace teapot::cli {

void print_codes(std::ostream& out);

}  // namespace teapot::cli

#pragma once
// teapot's version.

#include <string_view>

namespace teapot {

/// The version string, also sent in `Server: teapot/<version>`.
std::string_view version() noexcept;

}  // namespace teapot

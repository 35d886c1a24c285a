#pragma once
// The files httpbin's documents serve (handlers/httpbin/assets/), embedded in the
// binary at build time by cmake/embed_files.cmake: nothing is read from disk.

#include <optional>
#include <string_view>

namespace teapot::detail::httpbin {

/// The bytes of the embedded file with that name ("moby.html", "teapot.png"…), or nullopt.
std::optional<std::string_view> asset(std::string_view name);

}  // namespace teapot::detail::httpbin

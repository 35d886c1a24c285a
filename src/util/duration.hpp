#pragma once
// Durations as people write them: "250ms", "2s", "1.5s", "1m", "1h".

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::detail {

/// Parses a non-negative duration with a unit (ms, s, m, h); nullopt when malformed
/// or beyond a day (nothing teapot waits for is longer).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept;

/// The shortest exact spelling: "250ms", "2s", "1m".
std::string format_duration(std::chrono::milliseconds d);

/// Milliseconds since `since`, for a log line or a journal entry; 0 for a time never read (the
/// clock is read for access lines only when they are written).
double elapsed_ms(std::chrono::steady_clock::time_point since);

}  // namespace teapot::detail

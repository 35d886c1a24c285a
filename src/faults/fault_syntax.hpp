#pragma once
// The text forms of faults and pacing, shared by ?fault= / ?stream= on
// /status/<code> and by the scenario loader: "hang:2s", "truncate:100B",
// "wrong_length:+100", "slow_headers:1B/100ms", "256B/100ms", "2KB/s".

#include "plan/fault.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace teapot::detail {

/// "1B/100ms" (bytes per interval); nullopt with `error` set when malformed.
std::optional<pacing> parse_pacing(std::string_view text, std::string& error);

/// "2KB/s" (bytes per second), as chunks every 50 ms (or 1 byte at a slower pace).
std::optional<pacing> parse_rate(std::string_view text, std::string& error);

/// A fault without its parameter ("reset", "hang") or with it ("hang" and "2s").
/// `value` is empty for a bare name. nullopt with `error` set when unknown or malformed.
std::optional<fault> parse_fault(std::string_view name, std::string_view value, std::string& error);

/// ?fault= syntax: "name" or "name:value".
std::optional<fault> parse_fault_knob(std::string_view text, std::string& error);

/// Names for error messages: "reset, close, hang, garbage, truncate, bad-chunk, ..."
std::string_view fault_names() noexcept;

}  // namespace teapot::detail

#pragma once
// Keys a client chooses (a session's isolate_by value, a quota window's key) kept in a
// bounded number of bytes, however long the client made them.

#include <cstddef>
#include <string>
#include <string_view>

namespace teapot::detail {

/// `key` as it is when it has at most `max` bytes; else its first `prefix` bytes (cut
/// before a UTF-8 continuation byte, so a reader still recognises it), "...", and 32 hex
/// digits of the whole key's SHA-1: two keys that share both are taken for one.
/// Needs prefix + 35 <= max, so that a compacted key is never itself compacted again.
std::string compact_key(std::string_view key, std::size_t max, std::size_t prefix);

}  // namespace teapot::detail

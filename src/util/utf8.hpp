#pragma once
// UTF-8 as JSON requires it (RFC 8259 §8.1): what request bytes are checked
// against before they go into a JSON reply, and how they are repaired when not.

#include <cstddef>
#include <string>
#include <string_view>

namespace teapot::detail {

/// Whether `bytes` are well-formed UTF-8 (RFC 3629 §4: no overlong form, no
/// surrogate, nothing above U+10FFFF).
bool is_utf8(std::string_view bytes) noexcept;

/// `bytes` with each ill-formed sequence (a bad lead byte and the continuation
/// bytes after it) replaced by U+FFFD. Bytes below 0x80 are never touched, so a
/// JSON text stays JSON.
std::string repaired_utf8(std::string_view bytes);

/// Where to cut `bytes` to keep at most `n` of them without splitting a
/// character: `n`, or up to 3 bytes less when a multi-byte sequence straddles it.
std::size_t utf8_cut(std::string_view bytes, std::size_t n) noexcept;

}  // namespace teapot::detail

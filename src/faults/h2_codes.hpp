#pragma once
// The names of HTTP/2's error codes (RFC 9113 §7, as the IANA registry writes them), for
// rst_stream:<CODE> and goaway:<CODE>, and for messages that name a code.

#include <cstdint>
#include <optional>
#include <string_view>

namespace teapot::detail {

/// The error code named `name` ("REFUSED_STREAM" → 7, any case); nullopt when unknown.
std::optional<std::uint32_t> h2_code_by_name(std::string_view name) noexcept;

/// "NO_ERROR, PROTOCOL_ERROR, ...": the names the frame faults take, for error messages.
std::string_view h2_code_names() noexcept;

}  // namespace teapot::detail

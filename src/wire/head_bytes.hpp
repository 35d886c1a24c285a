#pragma once
// A response head as bytes, written here rather than by Beast's serializer:
// teapot's heads are small and already validated (no CR/LF in names, values or
// reasons: handlers refuse them), and building them directly costs a fraction
// of Beast's generic buffer sequences (docs/performance.md has the figures).

#include "plan/response_plan.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::detail {

struct head_framing {
    /// Content-Length to announce; none for 1xx, 204, 304 and chunked heads.
    std::optional<std::uint64_t> content_length;
    bool chunked = false;  ///< Transfer-Encoding: chunked (the bad-chunk fault)
    /// Connection management: "close" (appended to the head's own Connection
    /// tokens, e.g. "Upgrade, close"), "keep-alive" (HTTP/1.0), or none.
    std::string_view connection;
};

/// Appends "HTTP/1.1 <status> <reason>", Date and Server (unless the head sets
/// its own), the head's fields in order, the framing fields and the empty line.
void append_head(std::string& out, const message_head& head, std::string_view server_header,
                 const head_framing& framing = {});

}  // namespace teapot::detail

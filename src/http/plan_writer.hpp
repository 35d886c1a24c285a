#pragma once
// How a response plan meets the wire: the delay timer, interim 1xx heads, the
// final message with its framing, Date and Server, or a silent close.

#include "http/response_plan.hpp"
#include "net.hpp"

#include <chrono>
#include <string_view>

namespace teapot::detail {

struct wire_context {
    unsigned request_version = 11;   ///< 10 or 11
    bool keep_alive = true;          ///< false: send Connection: close
    std::string_view server_header;  ///< "teapot/<version>"
    std::chrono::milliseconds write_timeout{30'000};
};

struct write_outcome {
    beast::error_code ec;
    std::size_t bytes = 0;
};

/// Waits out plan.delay, then sends the interim heads and the final response.
/// Does not handle close_silently or websocket_echo; the session does.
net::awaitable<write_outcome> write_plan(stream_type& stream, const response_plan& plan, wire_context wire);

/// Waits out a plan's delay on a timer; false when cancelled.
net::awaitable<bool> wait_delay(stream_type& stream, std::chrono::milliseconds delay);

}  // namespace teapot::detail

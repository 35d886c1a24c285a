#pragma once
// How a response plan meets the wire: the delay timer, interim 1xx heads, the
// final message with its framing, Date and Server. Plans with a fault or a
// paced body go through the fault writer (faults/fault_writer.hpp).

#include "plan/response_plan.hpp"
#include "wire/byte_stream.hpp"
#include "wire/net.hpp"
#include "wire/watched_wait.hpp"

#include <chrono>
#include <optional>
#include <string_view>

namespace teapot::detail {

class io_deadline;

struct wire_context {
    unsigned request_version = 11;   ///< 10 or 11
    bool keep_alive = true;          ///< false: send Connection: close
    std::string_view server_header;  ///< "teapot/<version>"
    std::chrono::milliseconds write_timeout{30'000};
    std::chrono::milliseconds max_delay{60'000};     ///< bounds delays and hangs (--max-delay)
    std::chrono::milliseconds idle_timeout{60'000};  ///< how long a wrong_length response is held open
    io_deadline* deadline = nullptr;                 ///< armed for write_timeout around each write
};

struct write_outcome {
    beast::error_code ec;
    std::size_t bytes = 0;
    bool client_gone = false;        ///< the client left during a delay, hang or pause (logged 499)
    bool connection_closed = false;  ///< a fault ended the connection: no further request on it
    /// The response went in one write at once: it was done at first_byte, to the microseconds
    /// of that write (the clock is not read again). A flag, not a time: it fits in padding,
    /// and a larger outcome makes the coroutine frames that hold one outgrow the blocks
    /// Asio recycles for them (then each frame is a malloc: 1 200 instructions more a request).
    bool sent_at_once = false;
    std::optional<std::chrono::system_clock::time_point> first_byte;  ///< when sending began, if it did
};

/// Waits out plan.delay (at most wire.max_delay) watching the client, then sends
/// the interim heads and the final response, or carries out the plan's fault.
/// Does not handle close_silently or websocket_echo; the connection does.
net::awaitable<write_outcome> write_plan(byte_stream& stream, const response_plan& plan, wire_context wire);

/// write_plan after its delay: the interim heads and the final response, or the
/// plan's fault, at once. The connection waits out a delay itself and then calls this,
/// so that a delayed answer holds one coroutine frame less (docs/performance.md).
net::awaitable<write_outcome> send_plan(byte_stream& stream, const response_plan& plan, const wire_context& wire);

/// What write_plan reports when its delay ended early: the client left (499) or
/// the server is stopping.
write_outcome outcome_of_cut_wait(wait_end end);

}  // namespace teapot::detail

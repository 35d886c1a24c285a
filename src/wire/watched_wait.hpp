#pragma once
// Waiting on a timer while watching the client: a delay, a hang or a pause of
// a paced body ends early when the client goes away, so an abandoned request
// costs nothing and the access log can say 499, as nginx does.

#include "wire/byte_stream.hpp"
#include "wire/net.hpp"

#include <chrono>
#include <memory>

namespace teapot::detail {

enum class wait_end {
    elapsed,      ///< the whole duration passed
    client_gone,  ///< the client closed or reset the connection meanwhile
    aborted,      ///< the wait was cancelled (the server is stopping)
};

/// Waits `duration` on a timer, and watches the socket for the client's FIN or
/// RST meanwhile (a half-close's FIN included). Bytes the client sends (a
/// pipelined request) are left unread.
net::awaitable<wait_end> wait_watching(byte_stream& stream, std::chrono::milliseconds duration);

/// As above; while it waits, `timer` points to the wait's timer: cancelling that timer
/// (on the stream's executor) ends the wait at once, as `aborted`.
net::awaitable<wait_end> wait_watching(byte_stream& stream, std::chrono::milliseconds duration,
                                       std::weak_ptr<net::steady_timer>& timer);

}  // namespace teapot::detail

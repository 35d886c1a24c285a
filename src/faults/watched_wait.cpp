#include "faults/watched_wait.hpp"

#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>

#include <sys/socket.h>

namespace teapot::detail {
namespace {

enum class peer_state { open, gone, unknown };

// After the socket turned readable: a zero-byte peek is the client's FIN; an error is its RST.
// A FIN from a half-close (shutdown SHUT_WR) reads the same and counts as gone, as in nginx:
// only a write could tell the two apart, and a client that times out closes (docs/faults.md).
peer_state peek_peer(tcp::socket& socket) {
    char byte = 0;
    auto n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return peer_state::gone;
    if (n > 0) return peer_state::open;
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? peer_state::unknown : peer_state::gone;
}

}  // namespace

net::awaitable<wait_end> wait_watching(stream_type& stream, std::chrono::milliseconds duration) {
    if (duration.count() <= 0) co_return wait_end::elapsed;
    auto& socket = stream.socket();
    net::steady_timer timer{stream.get_executor(), duration};
    // Watch until the client closes, or sends bytes: those belong to the next
    // request, and then only the timer is left to wait for.
    bool watching = true;
    while (watching) {
        auto [order, timer_ec, socket_ec] =
            co_await net::experimental::make_parallel_group(timer.async_wait(net::deferred),
                                                            socket.async_wait(tcp::socket::wait_read, net::deferred))
                .async_wait(net::experimental::wait_for_one(), net::use_awaitable);
        if (order[0] == 0) co_return timer_ec ? wait_end::aborted : wait_end::elapsed;
        if (socket_ec) co_return socket_ec == net::error::operation_aborted ? wait_end::aborted : wait_end::client_gone;
        switch (peek_peer(socket)) {
            case peer_state::gone: co_return wait_end::client_gone;
            case peer_state::open: watching = false; break;
            case peer_state::unknown: break;  // a spurious wake-up: watch again
        }
    }
    auto [ec] = co_await timer.async_wait(use_tuple_awaitable);
    co_return ec ? wait_end::aborted : wait_end::elapsed;
}

}  // namespace teapot::detail

#include "faults/watched_wait.hpp"

#include <memory>

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

namespace {

// What the socket watch and the timer share. The watch is a plain callback, not a
// parallel_group of two awaitables: its state is this small block, and a delayed
// request costs a few hundred bytes less (docs/performance.md). One thread runs both.
struct watch {
    net::steady_timer* timer;  ///< null once the wait is over: a late callback touches nothing
    bool client_gone = false;
};

void watch_socket(tcp::socket& socket, std::shared_ptr<watch> w) {
    socket.async_wait(tcp::socket::wait_read, [&socket, w](const beast::error_code& ec) {
        if (!w->timer) return;  // the wait is over (elapsed, or cancelled)
        if (!ec) {
            switch (peek_peer(socket)) {
                case peer_state::open: return;  // bytes of the next request: only the timer is left
                case peer_state::unknown: watch_socket(socket, w); return;  // a spurious wake-up
                case peer_state::gone: break;
            }
        } else if (ec == net::error::operation_aborted) {
            return;
        }
        w->client_gone = true;
        w->timer->cancel();
    });
}

}  // namespace

net::awaitable<wait_end> wait_watching(stream_type& stream, std::chrono::milliseconds duration) {
    if (duration.count() <= 0) co_return wait_end::elapsed;
    auto& socket = stream.socket();
    net::steady_timer timer{stream.get_executor(), duration};
    auto w = std::make_shared<watch>(watch{&timer});
    watch_socket(socket, w);
    auto [ec] = co_await timer.async_wait(use_tuple_awaitable);
    w->timer = nullptr;
    if (w->client_gone) co_return wait_end::client_gone;
    // Elapsed or cancelled: the socket watch goes (its callback then finds the wait over).
    beast::error_code ignored;
    socket.cancel(ignored);
    co_return ec ? wait_end::aborted : wait_end::elapsed;
}

}  // namespace teapot::detail

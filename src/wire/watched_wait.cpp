#include "wire/watched_wait.hpp"

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

// The wait is a plain asynchronous operation, not a coroutine: a coroutine frame
// here (its timer, its locals, Asio's promise) was held by every delayed request,
// and 10 000 at once must fit in 64 MiB (docs/design.md, "The hot path"). What
// the timer's and the socket's callbacks share is this block; one thread runs both.
struct watch {
    watch(tcp::socket& s, const tcp::socket::executor_type& ex) : socket(s), timer(ex) {}
    // The TCP socket beneath the stream: readiness and a peek tell the client's FIN or RST.
    tcp::socket& socket;
    net::steady_timer timer;
    bool over = false;  ///< the timer has fired: a late socket callback touches nothing
    bool client_gone = false;
};

void watch_socket(const std::shared_ptr<watch>& w) {
    w->socket.async_wait(tcp::socket::wait_read, [w](const beast::error_code& ec) {
        if (w->over) return;  // the wait is over (elapsed, or cancelled)
        if (!ec) {
            switch (peek_peer(w->socket)) {
                case peer_state::open: return;                      // bytes of the next request: only the timer is left
                case peer_state::unknown: watch_socket(w); return;  // a spurious wake-up
                case peer_state::gone: break;
            }
        } else if (ec == net::error::operation_aborted) {
            return;
        }
        w->client_gone = true;
        w->timer.cancel();
    });
}

struct initiate_wait_watching {
    template <typename Handler>
    void operator()(Handler&& handler, byte_stream* stream, std::chrono::milliseconds duration,
                    std::weak_ptr<net::steady_timer>* timer) const {
        auto w = std::make_shared<watch>(stream->socket(), stream->get_executor());
        w->timer.expires_after(duration);
        // Shares the block's ownership: the timer lives as long as the wait does.
        if (timer) *timer = std::shared_ptr<net::steady_timer>(w, &w->timer);
        watch_socket(w);
        // The waiting coroutine resumes from here, on the stream's executor (its own).
        w->timer.async_wait([w, handler = std::forward<Handler>(handler)](const beast::error_code& ec) mutable {
            w->over = true;
            auto end = wait_end::client_gone;
            if (!w->client_gone) {
                // Elapsed or cancelled: the socket watch goes (its callback then finds the wait over).
                beast::error_code ignored;
                w->socket.cancel(ignored);
                end = ec ? wait_end::aborted : wait_end::elapsed;
            }
            std::move(handler)(end);
        });
    }
};

net::awaitable<wait_end> at_once(wait_end end) { co_return end; }

}  // namespace

net::awaitable<wait_end> wait_watching(byte_stream& stream, std::chrono::milliseconds duration) {
    if (duration.count() <= 0) return at_once(wait_end::elapsed);
    return net::async_initiate<const net::use_awaitable_t<>&, void(wait_end)>(
        initiate_wait_watching{}, net::use_awaitable, &stream, duration, nullptr);
}

net::awaitable<wait_end> wait_watching(byte_stream& stream, std::chrono::milliseconds duration,
                                       std::weak_ptr<net::steady_timer>& timer) {
    if (duration.count() <= 0) return at_once(wait_end::elapsed);
    return net::async_initiate<const net::use_awaitable_t<>&, void(wait_end)>(
        initiate_wait_watching{}, net::use_awaitable, &stream, duration, &timer);
}

}  // namespace teapot::detail

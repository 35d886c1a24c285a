#include "wire/event_stream.hpp"

#include "wire/watched_wait.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <atomic>

namespace teapot::detail {
namespace {

using clock_type = std::chrono::steady_clock;

void append_event(std::string& out, std::size_t served) {
    out += "event: journal\ndata: {\"served\": ";
    out += std::to_string(served);
    out += "}\n\n";
}

net::awaitable<bool> write_all(event_stream_wire& wire, const std::string& bytes) {
    auto armed = wire.deadline.arm(wire.write_timeout);
    auto [ec, n] = co_await net::async_write(wire.stream, net::buffer(bytes), use_tuple_awaitable);
    co_return !ec;
}

}  // namespace

net::awaitable<void> stream_journal_events(event_stream_wire wire, journal& source, std::string head,
                                           event_stream_pace pace) {
    // The journal tells of each completed entry from the completing thread, under its lock: one
    // post per burst (woken), which ends this stream's wait on its own executor. `alive` goes with
    // this coroutine, so a post that arrives later touches nothing.
    auto woken = std::make_shared<std::atomic<bool>>(false);
    auto alive = std::make_shared<char>();
    auto* timer_slot = &wire.timer;
    auto registration =
        source.watch([woken, weak_alive = std::weak_ptr<char>(alive), ex = wire.stream.get_executor(), timer_slot] {
            if (woken->exchange(true)) return;
            net::post(ex, [weak_alive, timer_slot] {
                if (!weak_alive.lock()) return;
                if (auto timer = timer_slot->lock()) timer->cancel();
            });
        });
    const auto ends = clock_type::now() + pace.lifetime;
    auto told = registration.served();
    std::string out = std::move(head);
    out += "retry: 1000\n";  // the reconnection delay a client of text/event-stream uses
    append_event(out, told);
    for (;;) {
        if (!co_await write_all(wire, out)) co_return;
        out.clear();
        if (co_await wait_watching(wire.stream, pace.min_gap) == wait_end::client_gone) co_return;
        // Until the count moves (woken), a heartbeat is due, or the stream must end.
        for (;;) {
            woken->store(false);  // before reading the count: a completion after it wakes the wait below
            if (registration.served() != told || wire.draining || clock_type::now() >= ends) break;
            const auto end = co_await wait_watching(wire.stream, pace.heartbeat, wire.timer);
            if (end == wait_end::client_gone) co_return;
            if (end == wait_end::elapsed) {
                out = ": keep-alive\n\n";  // a comment: proxies and the page see the stream alive
                break;
            }
        }
        if (wire.draining || clock_type::now() >= ends) co_return;
        if (const auto served = registration.served(); served != told) {
            told = served;
            append_event(out, told);
        }
    }
}

}  // namespace teapot::detail

#include "wire/handshake_fault_writer.hpp"

#include "wire/watched_wait.hpp"

#include <boost/asio/write.hpp>

#include <array>
#include <string>
#include <vector>

namespace teapot::detail {

net::awaitable<std::string> break_handshake(byte_stream& stream, tls::handshake_fault fault, io_deadline& deadline,
                                            std::chrono::milliseconds header_timeout,
                                            std::chrono::milliseconds max_delay,
                                            std::weak_ptr<net::steady_timer>& hang_timer) {
    using kind = tls::handshake_fault::kind;
    if (fault.what == kind::hang) {
        // Nothing is read: the ClientHello waits in the kernel, and the client for our flight.
        auto end = co_await wait_watching(stream, max_delay, hang_timer);
        stream.close();
        switch (end) {
            case wait_end::client_gone: co_return "handshake-hang: the client left";
            case wait_end::aborted: co_return "handshake-hang: the server stops";
            case wait_end::elapsed: break;
        }
        co_return "handshake-hang: --max-delay passed";
    }
    // On the heap, not in the coroutine frame, which a hang holds for --max-delay: 16 KiB takes
    // a whole ClientHello, so the close after an alert finds no unread bytes to turn into an RST.
    std::vector<char> hello(16 * 1024);
    {
        auto armed = deadline.arm(header_timeout);
        auto [ec, n] = co_await stream.socket().async_read_some(net::buffer(hello), use_tuple_awaitable);
        if (ec) {
            stream.close();
            co_return "no ClientHello before the fault: " + deadline.explain(ec).message();
        }
    }
    if (fault.what == kind::reset) {
        stream.reset();
        co_return "handshake-reset after the ClientHello";
    }
    // A plaintext alert record (RFC 8446 §5.1, §6): type 21, legacy version 3.3, length 2,
    // level fatal (2), the description. Before the ServerHello every client reads it as is.
    const std::array<unsigned char, 7> alert{21, 3, 3, 0, 2, 2, fault.alert};
    {
        auto armed = deadline.arm(header_timeout);
        co_await net::async_write(stream.socket(), net::buffer(alert), use_tuple_awaitable);
    }
    stream.shutdown_both();
    stream.close();
    co_return "handshake-alert " + std::to_string(fault.alert) + " after the ClientHello";
}

}  // namespace teapot::detail

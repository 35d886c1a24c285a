#include "wire/websocket_echo.hpp"

#include <boost/beast/websocket.hpp>

namespace teapot::detail {
namespace websocket = beast::websocket;

namespace {

// The echo over either transport: `Next` is the TCP socket or the TLS stream (whose
// teardown is in wire/tls_stream.hpp).
template <typename Next>
net::awaitable<void> echo(Next next, beast::http::request<beast::http::string_body> upgrade, std::string server_header,
                          limits request_limits, body_budget* bodies) {
    // The websocket stream owns its timeouts (pings, idle, handshake).
    websocket::stream<Next> ws{std::move(next)};
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.idle_timeout = request_limits.idle_timeout;
    ws.set_option(timeouts);
    ws.set_option(websocket::stream_base::decorator(
        [server_header](websocket::response_type& res) { res.set(beast::http::field::server, server_header); }));
    ws.read_message_max(request_limits.max_body_bytes);

    auto [ec] = co_await ws.async_accept(upgrade, use_tuple_awaitable);
    if (ec) co_return;
    beast::flat_buffer buffer;
    for (;;) {
        // A message is read a part at a time, each charged to --max-body-memory as request
        // content is: 10 000 connections cannot each hold a message of --max-body-size.
        body_charge charge{bodies};
        do {
            auto [read_ec, n] = co_await ws.async_read_some(buffer, 64 * 1024, use_tuple_awaitable);
            if (read_ec) co_return;  // closed by the client, timed out, or too large
            if (!charge.cover(buffer.size())) {
                co_await ws.async_close({websocket::close_code::try_again_later, "--max-body-memory"},
                                        use_tuple_awaitable);
                co_return;
            }
        } while (!ws.is_message_done());
        ws.text(ws.got_text());
        auto [write_ec, written] = co_await ws.async_write(buffer.data(), use_tuple_awaitable);
        if (write_ec) co_return;
        buffer.consume(buffer.size());
        buffer.shrink_to_fit();  // an idle connection holds no message
    }
}

}  // namespace

net::awaitable<void> run_websocket_echo(byte_stream stream, beast::http::request<beast::http::string_body> upgrade,
                                        std::string server_header, limits request_limits, body_budget* bodies) {
    if (stream.is_tls())
        return echo(std::move(*std::move(stream).release_tls()), std::move(upgrade), std::move(server_header),
                    request_limits, bodies);
    return echo(std::move(stream).release(), std::move(upgrade), std::move(server_header), request_limits, bodies);
}

}  // namespace teapot::detail

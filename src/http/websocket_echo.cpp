#include "http/websocket_echo.hpp"

#include <boost/beast/websocket.hpp>

namespace teapot::detail {
namespace websocket = beast::websocket;

net::awaitable<void> run_websocket_echo(stream_type stream, beast::http::request<beast::http::string_body> upgrade,
                                        std::string server_header, limits request_limits) {
    // The websocket stream owns its timeouts (pings, idle, handshake).
    websocket::stream<stream_type> ws{std::move(stream)};
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
        auto [read_ec, n] = co_await ws.async_read(buffer, use_tuple_awaitable);
        if (read_ec) co_return;  // closed by the client, timed out, or too large
        ws.text(ws.got_text());
        auto [write_ec, written] = co_await ws.async_write(buffer.data(), use_tuple_awaitable);
        if (write_ec) co_return;
        buffer.consume(buffer.size());
    }
}

}  // namespace teapot::detail

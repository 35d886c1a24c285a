// /status/101: a WebSocket handshake switches protocols, then messages echo.

#include "client.hpp"
#include "test_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <catch2/catch.hpp>

using namespace teapot::test;
namespace net = boost::asio;
namespace websocket = boost::beast::websocket;

TEST_CASE("/status/101 completes a WebSocket handshake and echoes messages") {
    test_server s;
    net::io_context ioc;
    websocket::stream<net::ip::tcp::socket> ws{ioc};
    ws.next_layer().connect({net::ip::make_address("127.0.0.1"), s.port()});
    websocket::response_type res;
    ws.handshake(res, "127.0.0.1", "/status/101");
    CHECK(res.result_int() == 101);
    CHECK(std::string{res["Server"]}.starts_with("teapot/"));

    for (std::string message : {"hello", "teapot"}) {
        ws.text(true);
        ws.write(net::buffer(message));
        boost::beast::flat_buffer buffer;
        ws.read(buffer);
        CHECK(ws.got_text());
        CHECK(boost::beast::buffers_to_string(buffer.data()) == message);
    }
    ws.close(websocket::close_code::normal);
}

TEST_CASE("/status/101 without an upgrade request is a 426 that says why") {
    test_server s;
    auto r = fetch(s.port(), "/status/101");
    CHECK(r.status == 426);
    CHECK(r.header("Upgrade") == "websocket");
    CHECK(r.body.find("Upgrade: websocket") != std::string::npos);
}

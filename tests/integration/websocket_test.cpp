// /status/101: a WebSocket handshake switches protocols, then messages echo.

#include "client.hpp"
#include "test_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

using namespace teapot::test;
namespace net = boost::asio;
namespace websocket = boost::beast::websocket;

TEST_CASE("/status/101 and go-httpbin's /websocket/echo complete a WebSocket handshake and echo messages") {
    const auto* path = GENERATE("/status/101", "/websocket/echo");
    INFO(path);
    test_server s;
    net::io_context ioc;
    websocket::stream<net::ip::tcp::socket> ws{ioc};
    ws.next_layer().connect({net::ip::make_address("127.0.0.1"), s.port()});
    websocket::response_type res;
    ws.handshake(res, "127.0.0.1", path);
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

TEST_CASE("/status/101 and /websocket/echo without an upgrade request are a 426 that says why") {
    test_server s;
    auto r = fetch(s.port(), GENERATE("/status/101", "/websocket/echo"));
    CHECK(r.status == 426);
    CHECK(r.header("Upgrade") == "websocket");
    CHECK(r.body.find("Upgrade: websocket") != std::string::npos);
}

TEST_CASE("WebSocket messages count against --max-body-memory: one past it closes with 1013") {
    auto o = test_options();
    o.request_limits.max_body_bytes = 100'000;
    o.request_limits.max_body_memory = 150'000;
    test_server s{o};
    net::io_context ioc;
    websocket::stream<net::ip::tcp::socket> ws{ioc};
    ws.next_layer().connect({net::ip::make_address("127.0.0.1"), s.port()});
    ws.handshake("127.0.0.1", "/status/101");
    ws.binary(true);
    auto echo = [&](const std::string& message) {
        ws.write(net::buffer(message));
        boost::beast::flat_buffer buffer;
        ws.read(buffer);
        return boost::beast::buffers_to_string(buffer.data());
    };
    // Larger than one read of the server's (64 KiB): read in parts, echoed whole.
    const std::string large(90'000, 'w');
    CHECK(echo(large) == large);
    // A request holds 100 000 bytes of the budget: 50 000 are left.
    connection held{s.port()};
    held.send("POST /status/200 HTTP/1.1\r\n" + host_line(s.port()) + "Content-Length: 100000\r\n\r\nx");
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    const std::string small(40'000, 's');
    CHECK(echo(small) == small);
    ws.write(net::buffer(large));
    boost::beast::flat_buffer buffer;
    boost::system::error_code ec;
    ws.read(buffer, ec);
    CHECK(ec == websocket::error::closed);
    CHECK(ws.reason().code == websocket::close_code::try_again_later);
}

// Connection handling over real sockets: keep-alive, pipelining, Connection:
// close, HTTP/1.0, Expect: 100-continue, and connection-ending codes.

#include "client.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <chrono>
#include <memory>
#include <vector>

using namespace teapot::test;

TEST_CASE("keep-alive serves several requests on one connection") {
    test_server s;
    connection c{s.port()};
    for (int code : {200, 418, 503}) {
        c.send("GET /status/" + std::to_string(code) + " HTTP/1.1\r\nHost: t\r\n\r\n");
        auto r = c.read_response();
        CHECK(r.status == code);
        CHECK(r.header("Connection") != "close");
    }
}

TEST_CASE("pipelined requests are answered in order, a delayed one included") {
    test_server s;
    connection c{s.port()};
    c.send(
        "GET /status/201 HTTP/1.1\r\nHost: t\r\n\r\n"
        "GET /status/202?delay=150ms HTTP/1.1\r\nHost: t\r\n\r\n"
        "HEAD /status/203 HTTP/1.1\r\nHost: t\r\n\r\n"
        "GET /status/204 HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(c.read_response().status == 201);
    CHECK(c.read_response().status == 202);
    CHECK(c.read_response(true).status == 203);
    CHECK(c.read_response().status == 204);
}

TEST_CASE("Connection: close is honoured") {
    test_server s;
    connection c{s.port()};
    c.send("GET /status/200 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    auto r = c.read_response();
    CHECK(r.status == 200);
    CHECK(r.header("Connection") == "close");
    CHECK(c.peer_closed());
}

TEST_CASE("HTTP/1.0 closes by default and keeps alive when asked") {
    test_server s;
    SECTION("default: close") {
        connection c{s.port()};
        c.send("GET /status/200 HTTP/1.0\r\n\r\n");
        auto r = c.read_response();
        CHECK(r.status == 200);
        CHECK(r.header("Content-Length") == std::to_string(r.body.size()));
        CHECK(c.peer_closed());
    }
    SECTION("Connection: keep-alive") {
        connection c{s.port()};
        c.send("GET /status/200 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        auto r = c.read_response();
        CHECK(r.header("Connection") == "keep-alive");
        c.send("GET /status/418 HTTP/1.0\r\n\r\n");
        CHECK(c.read_response().status == 418);
    }
}

TEST_CASE("Expect: 100-continue gets 100 before the body is sent") {
    test_server s;
    connection c{s.port()};
    c.send("POST /status/201 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    auto interim = c.read_response();
    REQUIRE(interim.status == 100);
    c.send("hello");
    auto final_response = c.read_response();
    CHECK(final_response.status == 201);
}

TEST_CASE("an expectation other than 100-continue is a 417") {
    test_server s;
    connection c{s.port()};
    c.send("POST /status/200 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: coffee\r\n\r\n");
    auto r = c.read_response();
    CHECK(r.status == 417);
    CHECK(r.header("Connection") == "close");
}

TEST_CASE("a request body is read and the connection stays usable") {
    test_server s;
    connection c{s.port()};
    c.send(
        "POST /status/200 HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world"
        "POST /status/202 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
        "GET /status/418 HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(c.read_response().status == 200);
    CHECK(c.read_response().status == 202);
    CHECK(c.read_response().status == 418);
}

TEST_CASE("empty lines before a request line are ignored (RFC 9112 §2.2)") {
    test_server s;
    connection c{s.port()};
    // The CRLF some clients add after a POST body, in the same segment, then alone.
    c.send(
        "POST /status/201 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello\r\n"
        "GET /status/202 HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(c.read_response().status == 201);
    CHECK(c.read_response().status == 202);
    c.send("\r\n\r\n");
    c.send("GET /status/203 HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(c.read_response().status == 203);
    // A line that is not empty is still a malformed request line.
    c.send(" \r\nGET /status/200 HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(c.read_response().status == 400);
}

TEST_CASE("444 closes the connection without a single byte") {
    test_server s;
    connection c{s.port()};
    c.send("GET /status/444 HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(c.closed_without_data());
}

TEST_CASE("408 answers, then closes the connection") {
    test_server s;
    connection c{s.port()};
    c.send("GET /status/408 HTTP/1.1\r\nHost: t\r\n\r\nGET /status/200 HTTP/1.1\r\nHost: t\r\n\r\n");
    auto r = c.read_response();
    CHECK(r.status == 408);
    CHECK(r.header("Connection") == "close");
    CHECK(c.read_until_close().empty());
}

TEST_CASE("responses to many concurrent delayed requests all arrive") {
    test_server s;
    std::vector<std::unique_ptr<connection>> conns;
    for (int i = 0; i < 50; ++i) {
        conns.push_back(std::make_unique<connection>(s.port()));
        conns.back()->send("GET /status/200?delay=300ms HTTP/1.1\r\nHost: t\r\n\r\n");
    }
    auto started = std::chrono::steady_clock::now();
    for (auto& c : conns) CHECK(c->read_response().status == 200);
    // Delays are timers, not threads: 50 delays of 300ms on 2 threads overlap.
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds{5});
}

TEST_CASE("connections reset at once end cleanly while others wait", "[connection][concurrency]") {
    // A connection that ends before the accept loop lets go of its session is
    // destroyed on the listener's thread, not its own: its deadline must already
    // have left its thread's sweeper (ThreadSanitizer saw the race; this is its
    // regression test, and it checks the server stays sound in any build).
    auto o = test_options();
    o.request_limits.header_timeout = std::chrono::milliseconds{100};  // the sweepers tick every 25 ms
    test_server s{o};
    // Long-lived sessions on both I/O threads keep their sweepers ticking meanwhile.
    std::vector<std::unique_ptr<connection>> waiting;
    for (int i = 0; i < 4; ++i) {
        waiting.push_back(std::make_unique<connection>(s.port()));
        waiting.back()->send("GET /status/200?delay=1s HTTP/1.1\r\nHost: t\r\n\r\n");
    }
    for (int i = 0; i < 300; ++i) {
        connection c{s.port()};
        // SO_LINGER 0: close() sends an RST, so the session's first read fails at once.
        linger reset{1, 0};
        ::setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    }
    CHECK(fetch(s.port(), "/status/204").status == 204);
    for (auto& c : waiting) CHECK(c->read_response().status == 200);
}

// Every limit with the answer it promises: 431, 413, 414, timeouts for slow
// clients, smuggling attempts, malformed requests and the connection cap. The
// server keeps serving others throughout.

#include "client.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>

#include <thread>

using namespace teapot::test;

namespace {

teapot::server_options small_limits() {
    auto o = test_options();
    o.request_limits.max_header_bytes = 2048;
    o.request_limits.max_body_bytes = 1024;
    o.request_limits.max_target_bytes = 512;
    o.request_limits.header_timeout = std::chrono::milliseconds{300};
    o.request_limits.idle_timeout = std::chrono::milliseconds{300};
    o.request_limits.body_timeout = std::chrono::milliseconds{300};
    return o;
}

void still_serving(std::uint16_t port) { CHECK(fetch(port, "/status/200").status == 200); }

// True once the server has closed `c` (FIN or RST), looking without waiting.
bool closed_by_server(connection& c) {
    pollfd p{c.fd(), POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    char byte;
    return ::recv(c.fd(), &byte, 1, MSG_DONTWAIT | MSG_PEEK) <= 0;
}

// Sends `bytes` one at a time, `every` apart (again from the start when they run
// out), until the server closes the connection or `give_up` passes; returns how long
// that took from `since`. A timeout that restarted with each read would never close it.
std::chrono::steady_clock::duration drip_until_closed(connection& c, const std::string& bytes,
                                                      std::chrono::milliseconds every,
                                                      std::chrono::steady_clock::time_point since,
                                                      std::chrono::milliseconds give_up) {
    for (std::size_t i = 0; std::chrono::steady_clock::now() - since < give_up; ++i) {
        if (closed_by_server(c)) break;
        try {
            c.send(std::string(1, bytes[i % bytes.size()]));
        } catch (const std::runtime_error&) {
            break;  // closed meanwhile
        }
        std::this_thread::sleep_for(every);
    }
    return std::chrono::steady_clock::now() - since;
}

// Deadlines of 2 s, watched a quarter of the shortest at a time: each connection
// below must be closed by 2.5 s, and the bound asserted, 3.2 s, leaves room for a
// busy machine while still telling a deadline that restarts or doubles.
teapot::server_options two_second_limits() {
    auto o = test_options();
    o.request_limits.header_timeout = std::chrono::seconds{2};
    o.request_limits.body_timeout = std::chrono::seconds{2};
    o.request_limits.idle_timeout = std::chrono::seconds{4};
    return o;
}
constexpr std::chrono::milliseconds closed_by{3200};

}  // namespace

TEST_CASE("a header section over the limit is a 431") {
    test_server s{small_limits()};
    connection c{s.port()};
    c.send("GET /status/200 HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(3000, 'a') + "\r\n\r\n");
    auto r = c.read_response();
    CHECK(r.status == 431);
    CHECK(r.reason == "Request Header Fields Too Large");
    CHECK(r.header("Connection") == "close");
    still_serving(s.port());
}

TEST_CASE("more fields than --max-header-fields, in the header or the trailer section, is a 431") {
    auto o = test_options();
    o.request_limits.max_header_fields = 20;
    test_server s{o};
    auto fields = [](int n) {
        std::string out;
        for (int i = 0; i < n; ++i) out += "X-F" + std::to_string(i) + ": v\r\n";
        return out;
    };
    // Host is a field too: 19 more make 20.
    CHECK(fetch(s.port(), "/status/200", fields(19)).status == 200);
    connection c{s.port()};
    c.send("GET /status/200 HTTP/1.1\r\nHost: t\r\n" + fields(20) + "\r\n");
    auto r = c.read_response();
    CHECK(r.status == 431);
    CHECK(r.body.find("more than 20 fields in the header section (--max-header-fields)") != std::string::npos);
    CHECK(r.header("Connection") == "close");
    // The trailer section counts its own.
    connection t{s.port()};
    t.send("POST /status/200 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n" + fields(20) +
           "\r\n");
    CHECK(t.read_response().status == 200);
    connection u{s.port()};
    u.send("POST /status/200 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n" + fields(21) +
           "\r\n");
    r = u.read_response();
    CHECK(r.status == 431);
    CHECK(r.body.find("more than 20 fields in the trailer section") != std::string::npos);
    still_serving(s.port());
}

TEST_CASE("a request-target over the limit is a 414") {
    test_server s{small_limits()};
    SECTION("within the header limit") {
        connection c{s.port()};
        c.send("GET /status/200?body=" + std::string(600, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n");
        CHECK(c.read_response().status == 414);
    }
    SECTION("beyond the header limit") {
        connection c{s.port()};
        c.send("GET /status/200?body=" + std::string(4000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n");
        CHECK(c.read_response().status == 414);
    }
    still_serving(s.port());
}

TEST_CASE("request content over the limit is a 413") {
    test_server s{small_limits()};
    SECTION("announced by Content-Length: answered before the body is read") {
        connection c{s.port()};
        c.send("POST /status/200 HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n");
        auto r = c.read_response();
        CHECK(r.status == 413);
        CHECK(r.header("Connection") == "close");
    }
    SECTION("with Expect: 100-continue, no 100 is sent") {
        connection c{s.port()};
        c.send("POST /status/200 HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n");
        CHECK(c.read_response().status == 413);
    }
    SECTION("chunked, found while reading") {
        connection c{s.port()};
        std::string chunk(800, 'x');
        c.send("POST /status/200 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" + chunk +
               "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n");
        CHECK(c.read_response().status == 413);
    }
    still_serving(s.port());
}

TEST_CASE("a slow-loris client is dropped at the header timeout") {
    test_server s{small_limits()};
    connection c{s.port()};
    c.send("GET /status/200 HTTP/1.1\r\nHost: t\r\n");
    auto started = std::chrono::steady_clock::now();
    for (int i = 0; i < 3; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds{150});
        try {
            c.send("X-Drip: " + std::to_string(i) + "\r\n");
        } catch (const std::runtime_error&) {
            break;  // already closed
        }
    }
    CHECK(c.read_until_close().empty());
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds{300});
    still_serving(s.port());
}

TEST_CASE("a dripped header is cut at the header timeout, however steadily its bytes come") {
    test_server s{two_second_limits()};
    SECTION("the first request: the timeout counts from the accept, even when the first byte comes late") {
        connection c{s.port()};
        const auto accepted = std::chrono::steady_clock::now();
        std::this_thread::sleep_for(std::chrono::milliseconds{1600});
        auto took = drip_until_closed(c, "GET /status/200 HTTP/1.1\r\nX-Drip: 1\r\n", std::chrono::milliseconds{50},
                                      accepted, std::chrono::seconds{8});
        CHECK(took >= std::chrono::seconds{2});
        CHECK(took < closed_by);
    }
    SECTION("a later request: from its first byte") {
        connection c{s.port()};
        c.send("GET /status/200 HTTP/1.1\r\nHost: t\r\n\r\n");
        CHECK(c.read_response().status == 200);
        auto took = drip_until_closed(c, "GET /status/200 HTTP/1.1\r\nX-Drip: 1\r\n", std::chrono::milliseconds{50},
                                      std::chrono::steady_clock::now(), std::chrono::seconds{8});
        CHECK(took >= std::chrono::seconds{2});
        CHECK(took < closed_by);
    }
    still_serving(s.port());
}

TEST_CASE("a dripped body is cut at the body timeout, however steadily its bytes come") {
    test_server s{two_second_limits()};
    connection c{s.port()};
    c.send("POST /status/200 HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n");
    auto took = drip_until_closed(c, "x", std::chrono::milliseconds{50}, std::chrono::steady_clock::now(),
                                  std::chrono::seconds{8});
    CHECK(took >= std::chrono::seconds{2});
    CHECK(took < closed_by);
    still_serving(s.port());
}

TEST_CASE("an idle keep-alive connection is closed at the idle timeout") {
    test_server s{small_limits()};
    connection c{s.port()};
    c.send("GET /status/200 HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(c.read_response().status == 200);
    auto started = std::chrono::steady_clock::now();
    CHECK(c.peer_closed());
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds{250});
}

TEST_CASE("a body that never finishes is dropped at the body timeout") {
    test_server s{small_limits()};
    connection c{s.port()};
    c.send("POST /status/200 HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly a part");
    CHECK(c.read_until_close().empty());
    still_serving(s.port());
}

TEST_CASE("ambiguous framing is rejected with 400 (request smuggling)") {
    test_server s;
    auto framing = GENERATE(as<std::string>{}, "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                            "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                            "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n", "Transfer-Encoding: chunked, gzip\r\n",
                            "Content-Length: 5\r\nContent-Length: 6\r\n");
    connection c{s.port()};
    c.send("POST /status/200 HTTP/1.1\r\nHost: t\r\n" + framing + "\r\nhello");
    auto r = c.read_response();
    CHECK(r.status == 400);
    CHECK(r.header("Connection") == "close");
    still_serving(s.port());
}

TEST_CASE("malformed requests get a 400 and a close") {
    test_server s;
    auto bad = GENERATE(as<std::string>{}, "GET\r\n\r\n", "GET /status/200 HTTP/1.1\r\nBad Header\r\n\r\n",
                        "GET /status/200 HTTP/1.1\r\nHost: t\r\nX: a\rb\r\n\r\n",
                        "POST /status/200 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n");
    connection c{s.port()};
    c.send(bad);
    auto r = c.read_response();
    CHECK(r.status == 400);
    CHECK(r.header("Connection") == "close");
    still_serving(s.port());
}

TEST_CASE("request content held at once is bounded by --max-body-memory: a body past it is a 503") {
    auto o = test_options();
    o.request_limits.max_body_bytes = 1000;
    o.request_limits.max_body_memory = 2500;
    test_server s{o};
    auto post_head = [&](std::size_t length) {
        return "POST /status/200 HTTP/1.1\r\nHost: t\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
    };
    // Two clients announce 1000 bytes each and send 10: their bodies are charged whole.
    connection a{s.port()}, b{s.port()};
    a.send(post_head(1000) + std::string(10, 'a'));
    b.send(post_head(1000) + std::string(10, 'b'));
    std::this_thread::sleep_for(std::chrono::milliseconds{100});
    SECTION("announced: refused before it is read, without 100 Continue") {
        connection c{s.port()};
        c.send("POST /status/200 HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n");
        auto r = c.read_response();
        CHECK(r.status == 503);
        CHECK(r.header("Retry-After") == "1");
        CHECK(r.header("Connection") == "close");
        CHECK(r.body.find("--max-body-memory") != std::string::npos);
    }
    SECTION("chunked: refused when it grows past the room left") {
        connection c{s.port()};
        const std::string chunk(300, 'c');
        c.send("POST /status/200 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n12c\r\n" + chunk +
               "\r\n12c\r\n" + chunk + "\r\n0\r\n\r\n");
        CHECK(c.read_response().status == 503);
    }
    // What fits beside them is served, and so is everything without content.
    CHECK(send_body(s.port(), "POST", "/status/200", std::string(400, 'd'), "Content-Type: text/plain\r\n").status ==
          200);
    still_serving(s.port());
    // Their bodies done and freed, the room comes back.
    a.send(std::string(990, 'a'));
    b.send(std::string(990, 'b'));
    CHECK(a.read_response().status == 200);
    CHECK(b.read_response().status == 200);
    connection again{s.port()};
    again.send(post_head(1000) + std::string(1000, 'e'));
    CHECK(again.read_response().status == 200);
}

TEST_CASE("a --max-body-memory smaller than one body is refused at start") {
    auto o = test_options();
    o.request_limits.max_body_bytes = 1000;
    o.request_limits.max_body_memory = 999;
    teapot::server srv{o};
    CHECK_THROWS_AS(srv.start(), std::invalid_argument);
}

TEST_CASE("connections over --max-connections are refused with 503") {
    auto o = test_options();
    o.request_limits.max_connections = 2;
    test_server s{o};
    connection a{s.port()}, b{s.port()};
    a.send("GET /status/200 HTTP/1.1\r\nHost: t\r\n\r\n");
    b.send("GET /status/200 HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(a.read_response().status == 200);
    CHECK(b.read_response().status == 200);
    connection refused{s.port()};
    auto r = refused.read_response();
    CHECK(r.status == 503);
    CHECK(r.header("Retry-After") == "1");
    CHECK(r.has("Date"));
    CHECK(r.header("Server").starts_with("teapot/"));
    CHECK(r.header("Connection") == "close");
    CHECK(r.body.find("--max-connections") != std::string::npos);  // which limit, for the person reading it
    CHECK(refused.peer_closed());
}

TEST_CASE("an HTTP version other than 1.0 and 1.1 is a 505") {
    test_server s;
    connection c{s.port()};
    c.send("GET /status/200 HTTP/2.0\r\nHost: t\r\n\r\n");
    auto r = c.read_response();
    CHECK(r.status == 505);
    CHECK(r.header("Connection") == "close");
}

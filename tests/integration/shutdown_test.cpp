// Graceful shutdown through the library API: stop accepting, let in-flight
// responses finish within the grace period, close idle connections.

#include "client.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <future>
#include <thread>

using namespace teapot::test;

TEST_CASE("stop() lets an in-flight delayed response finish, then refuses connections") {
    test_server s;
    auto port = s.port();
    connection c{port};
    c.send("GET /status/200?delay=300ms HTTP/1.1\r\nHost: t\r\n\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds{50});  // let the request reach the server
    auto stopped = std::async(std::launch::async, [&] { s.srv.stop(); });

    auto r = c.read_response();
    CHECK(r.status == 200);
    // The connection is not kept for another request while stopping.
    CHECK(c.peer_closed());
    stopped.get();
    CHECK_THROWS(connection{port});
}

TEST_CASE("stop() closes idle keep-alive connections at once") {
    test_server s;
    connection c{s.port()};
    c.send("GET /status/200 HTTP/1.1\r\nHost: t\r\n\r\n");
    CHECK(c.read_response().status == 200);
    auto started = std::chrono::steady_clock::now();
    s.srv.stop();
    CHECK(c.peer_closed());
    // Idle connections do not hold stop() for the grace period (5s by default).
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds{4});
}

TEST_CASE("stop() cuts responses that outlast the grace period") {
    auto o = test_options();
    o.shutdown_grace = std::chrono::milliseconds{200};
    test_server s{o};
    connection c{s.port()};
    c.send("GET /status/200?delay=20s HTTP/1.1\r\nHost: t\r\n\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
    auto started = std::chrono::steady_clock::now();
    s.srv.stop();
    auto took = std::chrono::steady_clock::now() - started;
    CHECK(took >= std::chrono::milliseconds{200});
    CHECK(took < std::chrono::seconds{10});
    CHECK(c.read_until_close().empty());
}

TEST_CASE("stop() is idempotent and the destructor stops a running server") {
    auto s = std::make_unique<test_server>();
    s->srv.stop();
    s->srv.stop();
    s.reset();
    test_server other;
    CHECK(fetch(other.port(), "/status/200").status == 200);
}

TEST_CASE("a server binds an ephemeral port and reports it") {
    test_server a, b;
    CHECK(a.port() != 0);
    CHECK(b.port() != 0);
    CHECK(a.port() != b.port());
}

TEST_CASE("start() throws when the address cannot be bound") {
    test_server a;
    auto o = test_options();
    o.port = a.port();
    teapot::server clash{o};
    CHECK_THROWS_WITH(clash.start(), Catch::Contains("cannot listen"));
}

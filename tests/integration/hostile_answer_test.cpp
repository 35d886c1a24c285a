// Issue 13, findings 9 and 14: what one answer may hold. A step's body is shared by
// every answer in flight, not copied into each; an answer's own time (delay, pacing,
// hang) is bounded at twice --max-delay, and a knob that asks for more is a 400 that
// shows the arithmetic.

#include "client.hpp"
#include "process_memory.hpp"
#include "scratch_dir.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <sys/socket.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace teapot::test;
using clock_type = std::chrono::steady_clock;

TEST_CASE("a step's body is shared by its answers in flight, not copied into each", "[hostile][memory]") {
    scratch_dir dir;
    constexpr std::size_t body_size = 8 * 1024 * 1024;
    {
        std::ofstream big{dir.path / "big.bin", std::ios::binary};
        big << std::string(body_size, 'b');
    }
    auto file = dir.add("big.yaml",
                        "name: big\nroutes:\n  - id: big\n    match: { path: /big }\n"
                        "    steps: [{ body_file: big.bin, times: forever }]\n");
    auto o = test_options();
    o.scenario_paths = {file};
    test_server s{o};
    fetch(s.port(), "/status/200");  // the server's own start-up allocations, before the baseline
    const auto before = rss_bytes();
    // Clients that ask and never read: each answer stays in flight (the write waits).
    std::vector<std::unique_ptr<connection>> slow;
    for (int i = 0; i < 16; ++i) {
        slow.push_back(std::make_unique<connection>(s.port()));
        int small = 4096;
        ::setsockopt(slow.back()->fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
        slow.back()->send("GET /big HTTP/1.1\r\n" + host_line(s.port()) + "\r\n");
    }
    const auto deadline = clock_type::now() + std::chrono::seconds{10};
    while (s.srv.requests({.path = "/big"}).size() < slow.size() && clock_type::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    REQUIRE(s.srv.requests({.path = "/big"}).size() == slow.size());
    std::this_thread::sleep_for(std::chrono::milliseconds{200});  // every answer has started its write
    const auto grown = rss_bytes() - std::min(before, rss_bytes());
    INFO("RSS grew by " << grown / (1024 * 1024) << " MiB with 16 answers of 8 MiB in flight");
    // A copy each would be 128 MiB; shared, the body is already there (the kernel's
    // socket buffers are not this process's memory).
    CHECK(grown < 48 * 1024 * 1024);
    slow.clear();
    CHECK(fetch(s.port(), "/status/200").status == 200);
}

TEST_CASE("a knob that makes an answer last longer than twice --max-delay is a 400 with the arithmetic",
          "[hostile][pacing]") {
    test_server s;  // --max-delay 60s: an answer takes 2m at most
    // The finding: 8 000 bytes at 1B/60s, every pause within --max-delay, lasted 5.6 days.
    auto r = fetch(s.port(), "/status/200?stream=1B/60s&body=" + std::string(8000, 'x'));
    CHECK(r.status == 400);
    INFO(r.body);
    CHECK(r.body.find("7999 pauses of 1m") != std::string::npos);
    CHECK(r.body.find("twice --max-delay, 2m") != std::string::npos);
    // The head dripped, and a delay before it, count too.
    auto slow_head = fetch(s.port(), "/status/200?delay=59s&fault=slow_headers:1B/1s");
    CHECK(slow_head.status == 400);
    CHECK(slow_head.body.find("a delay of 59s + the head") != std::string::npos);
    // Within the bound, pacing is served as asked.
    auto paced = fetch(s.port(), "/status/200?stream=1KiB/10ms&body=" + std::string(4096, 'y'));
    CHECK(paced.status == 200);
    CHECK(paced.body == std::string(4096, 'y'));
}

TEST_CASE("a scenario's paced answer is cut at twice --max-delay", "[hostile][pacing]") {
    auto o = test_options();
    o.max_delay = std::chrono::milliseconds{200};  // an answer takes 400 ms at most
    test_server s{o};
    s.srv.load_scenario(R"(
name: trickle
routes:
  - id: trickle
    match: { path: /trickle }
    steps: [{ body: "0123456789012345678901234567890123456789", stream: 1B/100ms, times: forever }]
)");
    connection c{s.port(), std::chrono::seconds{10}};
    const auto started = clock_type::now();
    c.send("GET /trickle HTTP/1.1\r\n" + host_line(s.port()) + "\r\n");
    // 40 bytes at 1B/100ms would take 3.9 s; the connection ends after about 400 ms.
    auto got = c.read_to_end(std::chrono::seconds{8});
    const auto took = clock_type::now() - started;
    CHECK(got.how == connection::ending::fin);
    CHECK(took < std::chrono::seconds{3});
    CHECK(took >= std::chrono::milliseconds{300});
    const auto body_start = got.bytes.find("\r\n\r\n");
    REQUIRE(body_start != std::string::npos);
    CHECK(got.bytes.size() - body_start - 4 < 40);  // cut, not whole
}

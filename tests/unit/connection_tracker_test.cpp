// The open connections: counted, drained as the server stops, waited for without polling.

#include <catch2/catch.hpp>

#include "wire/connection_tracker.hpp"

#include <chrono>
#include <future>
#include <memory>
#include <thread>

using namespace std::chrono_literals;
using teapot::detail::connection;
using teapot::detail::connection_tracker;

TEST_CASE("connection tracker: counts, and a connection added while draining is told to drain", "[wire]") {
    connection_tracker tracker;
    CHECK(tracker.add(tracker.next_id(), std::weak_ptr<connection>{}));
    CHECK(tracker.count() == 1);
    tracker.drain_all();
    CHECK_FALSE(tracker.add(tracker.next_id(), std::weak_ptr<connection>{}));  // accepted as the acceptor closed
    CHECK(tracker.count() == 2);
}

TEST_CASE("connection tracker: the wait ends when the last connection does, or at its deadline", "[wire]") {
    connection_tracker tracker;
    CHECK(tracker.wait_until_empty(std::chrono::steady_clock::now()));  // none open: at once
    const auto id = tracker.next_id();
    (void)tracker.add(id, std::weak_ptr<connection>{});
    CHECK_FALSE(tracker.wait_until_empty(std::chrono::steady_clock::now() + 10ms));
    // Woken by remove() on another thread, long before a deadline an hour away.
    auto waiting =
        std::async(std::launch::async, [&] { return tracker.wait_until_empty(std::chrono::steady_clock::now() + 1h); });
    std::this_thread::sleep_for(20ms);
    tracker.remove(id);
    REQUIRE(waiting.wait_for(30s) == std::future_status::ready);
    CHECK(waiting.get());
}

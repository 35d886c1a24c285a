// The bundled examples of quotas and weighted draws, played over real sockets
// exactly as their header comments document the curl calls.

#include "client.hpp"
#include "test_server.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace teapot::test;

namespace {

teapot::server_options bundled() {
    auto o = test_options();
    o.scenario_paths = {TEAPOT_SCENARIOS_DIR};
    return o;
}

response get(std::uint16_t port, const std::string& target, const std::string& test_id) {
    return fetch(port, target, "X-Test-Id: " + test_id + "\r\n");
}

}  // namespace

TEST_CASE("rate-limited: 3 requests per 2 s, then 429 with the seconds left, then a new window",
          "[scenario][examples]") {
    test_server s{bundled()};
    using clock = std::chrono::steady_clock;
    // The server opens the window between these two instants.
    auto before_first = clock::now();
    clock::time_point after_first;
    for (int i = 0; i < 3; ++i) {
        auto r = get(s.port(), "/api/quota", "t1");
        if (i == 0) after_first = clock::now();
        CHECK(r.status == 200);
        CHECK(boost::json::parse(r.body).at("quota") == "ok");
    }
    auto rejected = get(s.port(), "/api/quota", "t1");
    auto elapsed = clock::now() - before_first;  // at least the window's age at the 4th request
    // Only while the window is open (a very slow machine may have crossed it).
    if (elapsed < std::chrono::seconds{2}) {
        CHECK(rejected.status == 429);
        CHECK(rejected.header("Content-Type") == "application/json");
        CHECK(boost::json::parse(rejected.body).at("error") == "rate limit exceeded");
        CHECK(rejected.count("Retry-After") == 1);
        // Whole seconds left, rounded up: 2 within the first second of the window, then 1.
        if (elapsed < std::chrono::seconds{1})
            CHECK(rejected.header("Retry-After") == "2");
        else
            CHECK_THAT(rejected.header("Retry-After"), Catch::Equals("1") || Catch::Equals("2"));

        // Another test has its own quota meanwhile.
        CHECK(get(s.port(), "/api/quota", "t2").status == 200);
    }
    // As the example's `sleep 2`: by then the window that opened before after_first is over.
    std::this_thread::sleep_until(after_first + std::chrono::milliseconds{2050});
    auto reopened = get(s.port(), "/api/quota", "t1");
    CHECK(reopened.status == 200);
}

TEST_CASE("weighted-flaky: the seeded sequence of the example, the same in every session", "[scenario][examples]") {
    test_server s{bundled()};
    const std::vector<int> documented{200, 200, 200, 503, 200, 200, 503, 200};
    for (std::string session : {"t1", "t2"}) {
        INFO("session " << session);
        std::vector<int> got;
        for (std::size_t i = 0; i < documented.size(); ++i) {
            auto r = get(s.port(), "/api/inventory", session);
            got.push_back(r.status);
            if (r.status == 503) {
                CHECK(r.header("Retry-After") == "2");
                CHECK(boost::json::parse(r.body).at("error") == "inventory service unavailable");
            } else {
                CHECK(boost::json::parse(r.body).at("items") == 3);
            }
        }
        CHECK(got == documented);
    }
}

TEST_CASE("weighted-flaky: the file's seed wins over the server's --seed", "[scenario][examples]") {
    auto o = bundled();
    o.seed = 12345;
    test_server s{o};
    std::vector<int> got;
    for (int i = 0; i < 8; ++i) got.push_back(get(s.port(), "/api/inventory", "x").status);
    CHECK(got == std::vector<int>{200, 200, 200, 503, 200, 200, 503, 200});
}

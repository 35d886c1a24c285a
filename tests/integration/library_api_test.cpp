// The C++ API a client's test uses in-process: script a scenario, point a
// client at url(), wait for its requests without sleeping, read the journal,
// verify, reset and stop. The client here is a real socket client.

#include "client.hpp"
#include "scratch_dir.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <thread>

using namespace teapot::test;
using namespace std::chrono_literals;

namespace {

const char* const flaky = R"(name: flaky
isolate_by: header X-Test-Id
routes:
  - id: orders
    match: { path: /orders }
    steps:
      - { status: 503, headers: { Retry-After: "1" }, times: 2 }
      - { status: 200, json: { orders: [] } }
  - id: health
    match: { path: /health }
    when_state: up
    steps: [{ status: 204 }]
expect:
  - { route: orders, count: 3 }
)";

int get(const teapot::server& s, const std::string& path, const std::string& session) {
    return fetch(s.port(), path, "X-Test-Id: " + session + "\r\n").status;
}

}  // namespace

TEST_CASE("library: url() names the bound port", "[library]") {
    test_server s;
    CHECK(s.srv.url() == "http://127.0.0.1:" + std::to_string(s.port()));
}

TEST_CASE("library: a scenario loaded from a string plays, and the journal shows what the client sent", "[library]") {
    test_server s;
    s.srv.load_scenario(flaky);
    CHECK(get(s.srv, "/orders", "t1") == 503);
    CHECK(get(s.srv, "/orders", "t1") == 503);
    CHECK(get(s.srv, "/orders", "t1") == 200);
    CHECK(get(s.srv, "/orders", "t2") == 503);  // its own session

    auto t1 = s.srv.requests({.session = "t1", .route = "orders"});
    REQUIRE(t1.size() == 3);
    CHECK(t1[0].scenario == "flaky");
    CHECK(t1[0].status == 503);
    CHECK(t1[0].retry_after_s == 1u);
    CHECK(t1[2].step == 2u);
    CHECK(t1[2].done.has_value());
    CHECK(s.srv.requests().size() == 4);
    CHECK_THROWS_AS(s.srv.requests({.route = "nope"}), std::invalid_argument);

    auto v = s.srv.verify_expectations("t1");
    CHECK(v.passed);
    auto w = s.srv.verify_expectations("t2");
    CHECK_FALSE(w.passed);
    CHECK_THAT(w.diff, Catch::Contains("expected 3 request(s), got 1"));
    auto rules = s.srv.verify("[{route: orders, count: {min: 1, max: 2}}]", "t2");
    CHECK(rules.passed);
    CHECK(rules.rules.front().scenario == "flaky");

    s.srv.clear_requests();
    CHECK(s.srv.requests().empty());
}

TEST_CASE("library: wait_for returns when the requests are served, or false at the timeout", "[library]") {
    test_server s;
    s.srv.load_scenario(flaky);
    teapot::request_filter orders{.session = "t1", .route = "orders"};

    SECTION("already served: at once") {
        get(s.srv, "/orders", "t1");
        CHECK(s.srv.wait_for(orders, 1, 10s));
    }
    SECTION("served later, by a client on another thread") {
        auto started = std::chrono::steady_clock::now();
        std::thread client{[&] {
            for (int i = 0; i < 3; ++i) get(s.srv, "/orders", "t1");
        }};
        CHECK(s.srv.wait_for(orders, 3, 20s));
        auto waited = std::chrono::steady_clock::now() - started;
        client.join();
        CHECK(s.srv.requests(orders).size() == 3);
        CHECK(waited < 20s);  // woken by the third request, not by the timeout
    }
    SECTION("not enough: false once the timeout has passed") {
        get(s.srv, "/orders", "t1");
        auto started = std::chrono::steady_clock::now();
        CHECK_FALSE(s.srv.wait_for(orders, 2, 200ms));
        CHECK(std::chrono::steady_clock::now() - started >= 200ms);
    }
}

TEST_CASE("library: a retrying client that ignores Retry-After is caught", "[library]") {
    test_server s;
    s.srv.load_scenario(flaky);
    for (int i = 0; i < 3; ++i) get(s.srv, "/orders", "eager");  // no wait between retries
    REQUIRE(s.srv.wait_for({.session = "eager", .route = "orders"}, 3));
    auto v = s.srv.verify("[{route: orders, count: 3}, {route: orders, honors_retry_after: true}]", "eager");
    CHECK_FALSE(v.passed);
    REQUIRE(v.rules.size() == 2);
    CHECK(v.rules[0].passed);
    CHECK_FALSE(v.rules[1].passed);
    CHECK_THAT(v.diff, Catch::Contains("after a Retry-After: 1"));
}

TEST_CASE("library: the journal records each delay drawn, the same for the same seed", "[library]") {
    auto draws = [] {
        test_server s;  // seeded: test_options() sets --seed 42
        s.srv.load_scenario(R"(name: slow
routes: [{ id: r, match: { path: /slow }, steps: [{ delay: { uniform: [1ms, 40ms] }, times: forever }] }])");
        for (int i = 0; i < 5; ++i) fetch(s.port(), "/slow");
        fetch(s.port(), "/status/200?delay=25ms");
        std::vector<long> delays;
        for (const auto& e : s.srv.requests()) delays.push_back(static_cast<long>(e.delay.count()));
        return delays;
    };
    auto first = draws();
    REQUIRE(first.size() == 6);
    CHECK(first.back() == 25);
    for (int i = 0; i < 5; ++i) CHECK((first[i] >= 1 && first[i] <= 40));
    CHECK(std::set<long>(first.begin(), first.end() - 1).size() > 1);  // drawn, not fixed
    CHECK(draws() == first);
}

TEST_CASE("library: reset, set_state and remove_scenario", "[library]") {
    test_server s;
    s.srv.load_scenario(flaky);
    CHECK(get(s.srv, "/orders", "a") == 503);
    CHECK(get(s.srv, "/orders", "b") == 503);
    s.srv.reset(std::nullopt, "a");
    CHECK(s.srv.requests({.session = "a"}).empty());
    CHECK(s.srv.requests({.session = "b"}).size() == 1);
    CHECK(get(s.srv, "/orders", "a") == 503);  // from the first step again
    CHECK(get(s.srv, "/orders", "a") == 503);
    CHECK(get(s.srv, "/orders", "a") == 200);
    CHECK_THROWS_AS(s.srv.reset("nope"), std::invalid_argument);

    CHECK(get(s.srv, "/health", "a") == 404);
    s.srv.set_state("flaky", "a", "up");
    CHECK(get(s.srv, "/health", "a") == 204);
    CHECK(get(s.srv, "/health", "b") == 404);
    s.srv.set_state("flaky", "a", std::nullopt);
    CHECK(get(s.srv, "/health", "a") == 404);
    CHECK_THROWS_AS(s.srv.set_state("nope", "a", "up"), std::invalid_argument);

    CHECK(s.srv.remove_scenario("flaky"));
    CHECK_FALSE(s.srv.remove_scenario("flaky"));
    CHECK(get(s.srv, "/orders", "a") == 404);
}

TEST_CASE("library: a broken scenario throws with every error and changes nothing", "[library]") {
    test_server s;
    s.srv.load_scenario(flaky);
    try {
        s.srv.load_scenario("name: flaky\nroutes:\n  - id: orders\n    stepz: []\n    priority: high\n");
        FAIL("no exception");
    } catch (const teapot::scenario_error& e) {
        REQUIRE(e.errors().size() >= 2);
        CHECK_THAT(std::string{e.what()}, Catch::Contains("scenario text:4:5: unknown key 'stepz'"));
        CHECK_THAT(std::string{e.what()}, Catch::Contains("scenario text:5:15: "));
    }
    CHECK(get(s.srv, "/orders", "t") == 503);  // the previous scenario still plays
    CHECK_THROWS_AS(s.srv.verify("[{route: orders, cuont: 3}]"), teapot::scenario_error);
    CHECK_THROWS_AS(s.srv.verify("[{route: nope, count: 3}]"), std::invalid_argument);
}

TEST_CASE("library: a scenario file reads its body_file beside it and is named after it", "[library]") {
    scratch_dir dir;
    dir.add("orders.json", R"({"orders": [1, 2]})");
    auto path =
        dir.add("from-file.yaml", "routes: [{ id: r, match: { path: /f }, steps: [{ body_file: orders.json }] }]\n");
    test_server s;
    s.srv.load_scenario_file(path);
    auto r = fetch(s.port(), "/f");
    CHECK(r.status == 200);
    CHECK(r.body == R"({"orders": [1, 2]})");
    CHECK(s.srv.requests().front().scenario == "from-file");
    CHECK_THROWS_AS(s.srv.load_scenario_file((dir.path / "missing.yaml").string()), teapot::scenario_error);
}

TEST_CASE("library: scenario calls before start() throw", "[library]") {
    teapot::server s{test_options()};
    CHECK_THROWS_AS(s.load_scenario(flaky), std::logic_error);
}

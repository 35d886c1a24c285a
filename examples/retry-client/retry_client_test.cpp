// The client's test: teapot plays a flaky upstream in-process, the client runs
// against it, and teapot says what the client did. No fixed port, no sleep.
#define CATCH_CONFIG_MAIN
#include "retry_client.hpp"

#include <teapot/server.hpp>

#include <catch2/catch.hpp>

TEST_CASE("the client retries through two 503s, waiting the Retry-After it is given") {
    teapot::server_options options;
    options.port = 0;
    teapot::server upstream{options};
    upstream.start();
    upstream.load_scenario(R"(
name: flaky-orders
isolate_by: header X-Test-Id
routes:
  - id: orders
    match: { method: GET, path: /orders }
    steps:
      - { status: 503, headers: { Retry-After: "1" }, times: 2 }
      - { status: 200, json: { orders: [] } }
)");

    auto reply = example::get_with_retries("127.0.0.1", upstream.port(), "/orders", "retry-test");

    CHECK(reply.status == 200);
    CHECK(reply.attempts == 3);
    REQUIRE(upstream.wait_for({.session = "retry-test", .route = "orders"}, 3));
    auto verdict =
        upstream.verify("[{route: orders, count: 3}, {route: orders, honors_retry_after: true}]", "retry-test");
    INFO(verdict.diff);
    CHECK(verdict.passed);
}

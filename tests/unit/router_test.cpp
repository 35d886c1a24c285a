// The router: who answers a request (the admin API, a scenario, a built-in
// endpoint of the table, or a 404), and the table of built-in endpoints itself.

#include <catch2/catch.hpp>

#include "journal/journal.hpp"
#include "router/builtin_routes.hpp"
#include "router/router.hpp"
#include "router_fixture.hpp"

#include <set>
#include <string>
#include <string_view>
#include <utility>

using teapot::detail::builtin_routes;
using teapot::detail::find_builtin_route;
using teapot::detail::is_admin_request;
using teapot::detail::route;
using teapot::test::contains;
using teapot::test::field;
using teapot::test::has_field;
using teapot::test::make_request;
using teapot::test::router_fixture;

TEST_CASE("the built-in table: each row is found by its path, once, with a line of what it answers", "[router]") {
    std::set<std::pair<std::string_view, bool>> seen;
    for (const auto& row : builtin_routes()) {
        INFO(row.path);
        CHECK(seen.insert({row.path, row.prefix}).second);
        CHECK_FALSE(row.doc.empty());
        CHECK(row.answer != nullptr);
        // A row earlier in the scan must not take this row's paths.
        const std::string sample = std::string{row.path} + (row.prefix ? "418" : "");
        std::string_view rest;
        CHECK(find_builtin_route(sample, rest) == &row);
        CHECK(rest == (row.prefix ? "418" : ""));
    }
    std::string_view rest = "untouched";
    CHECK(find_builtin_route("/nope", rest) == nullptr);
    CHECK(find_builtin_route("/statusx", rest) == nullptr);
    CHECK(find_builtin_route("/codes/", rest) != nullptr);
    CHECK(rest.empty());
}

TEST_CASE_METHOD(router_fixture, "OPTIONS * answers the server's methods, and * is for OPTIONS only", "[router]") {
    auto plan = route(make_request("OPTIONS", "*"), ctx);
    CHECK(plan.final_head.status == 204);
    CHECK(field(plan.final_head, "Allow") == "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    plan = route(make_request("GET", "*"), ctx);
    CHECK(plan.final_head.status == 400);
    CHECK(plan.close_after);
}

TEST_CASE_METHOD(router_fixture, "the admin API answers before anything else, unless it is off", "[router][admin]") {
    teapot::detail::journal requests{teapot::detail::journal_limits{}};
    ctx.journal = &requests;
    auto version = route(make_request("GET", "/__teapot/version"), ctx);
    CHECK(version.final_head.status == 200);
    CHECK_FALSE(version.journaled);  // the admin API's own requests are not in the journal
    CHECK_FALSE(has_field(version.final_head, "Access-Control-Allow-Origin"));  // no CORS: no other origin drives it
    CHECK(is_admin_request(make_request("GET", "/__teapot/version"), ctx));
    CHECK(is_admin_request(make_request("GET", "/__teapot/%76ersion"), ctx));  // decoded as the router decodes
    CHECK_FALSE(is_admin_request(make_request("GET", "/status/418"), ctx));
    CHECK_FALSE(is_admin_request(make_request("GET", ""), ctx));  // a target not read yet

    ctx.admin.enabled = false;  // --no-admin
    CHECK(route(make_request("GET", "/__teapot/version"), ctx).final_head.status == 404);
    CHECK_FALSE(is_admin_request(make_request("GET", "/__teapot/version"), ctx));
}

TEST_CASE_METHOD(router_fixture, "404 for an unknown path", "[router]") {
    for (std::string_view target : {"/nope", "/statusx", "/status418", "/STATUS/418", "/codesx"}) {
        auto plan = get(target);
        INFO(target);
        CHECK(plan.final_head.status == 404);
        CHECK(plan.final_head.reason == "Not Found");
        CHECK(contains(plan.body, "no resource at "));
        CHECK(field(plan.final_head, "Access-Control-Allow-Origin") == "*");
    }
    CHECK(contains(get("/nope").body, "no resource at /nope"));
}

TEST_CASE_METHOD(router_fixture, "other routes", "[router]") {
    SECTION("absolute-form target") {
        auto plan = get("http://localhost:8080/status/418");
        CHECK(plan.final_head.status == 418);
    }
    SECTION("/status answers any method") {
        auto plan = route(make_request("POST", "/status/201"), ctx);
        CHECK(plan.final_head.status == 201);
        plan = route(make_request("DELETE", "/status/418"), ctx);
        CHECK(plan.final_head.status == 418);
    }
    SECTION("/codes and / are read-only") {
        CHECK(get("/codes").final_head.status == 200);
        CHECK(get("/").final_head.status == 200);
        auto plan = route(make_request("POST", "/codes"), ctx);
        CHECK(plan.final_head.status == 405);
        CHECK(field(plan.final_head, "Allow") == "GET, HEAD");
    }
    SECTION("a plain OPTIONS is not a preflight and gets its status") {
        auto plan = route(make_request("OPTIONS", "/status/418", {{"Origin", "https://app.example"}}), ctx);
        CHECK(plan.final_head.status == 418);
    }
}

TEST_CASE_METHOD(router_fixture, "a fault fits the protocol that carried the request", "[router][http2]") {
    using kind = teapot::detail::response_plan::kind;
    constexpr unsigned http2 = 20;
    SECTION("an HTTP/2 frame fault over HTTP/1.1 is a 400 that says how to ask over HTTP/2") {
        auto plan = get("/status/200?fault=rst_stream:CANCEL");
        CHECK(plan.final_head.status == 400);
        CHECK(contains(plan.body, "--http2-prior-knowledge"));
        CHECK(get("/status/200?fault=rst_stream:CANCEL", {}, http2).action == kind::respond);
    }
    SECTION("bad-chunk has no HTTP/2 form: a 400 over HTTP/2, the fault over HTTP/1.1") {
        auto plan = get("/status/200?fault=bad-chunk", {}, http2);
        CHECK(plan.final_head.status == 400);
        CHECK(contains(plan.body, "RFC 9113"));
        CHECK(get("/status/200?fault=bad-chunk").final_head.status == 200);
    }
    SECTION("what HTTP/2 has no form of asks for HTTP/1.1 over HTTP/2 only; slow_headers has one") {
        CHECK(get("/status/101", {}, http2).action == kind::http11_required);
        CHECK(get("/status/200?fault=slow_headers:10/100ms", {}, http2).action == kind::respond);
        CHECK(get("/status/200?fault=slow_headers:10/100ms").action == kind::respond);
        // early-response has one: the connection answers from the head (RFC 9113 §8.1).
        CHECK(get("/status/200?fault=early-response", {}, http2).action == kind::respond);
    }
    SECTION("no fault: the answer as over HTTP/1.1") {
        auto plan = get("/status/418", {}, http2);
        CHECK(plan.action == kind::respond);
        CHECK(plan.final_head.status == 418);
    }
}

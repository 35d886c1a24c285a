// The player: claims, cursors, sessions and their expiry, under concurrency.
#include <catch2/catch.hpp>

#include "scenario_fixture.hpp"

using namespace std::chrono_literals;
using namespace teapot::test::scenario_fixture;

TEST_CASE("player: priority, then scenario name, then declaration order", "[player]") {
    std::vector<sc::scenario> scenarios;
    // Given out of name order on purpose: the player orders scenarios by name.
    scenarios.push_back(make_scenario(
        "zeta", {make_route("z-first", on("GET", "/x"), {text_step(200, "z-first", std::nullopt)}),
                 make_route("z-high", on("GET", "/x"), {text_step(200, "z-high")}, sc::then_mode::pass, 5)}));
    scenarios.push_back(make_scenario(
        "alpha", {make_route("a-other", on("GET", "/other"), {text_step(200, "a-other", std::nullopt)}),
                  make_route("a-first", on("GET", "/x"), {text_step(200, "a-first")}, sc::then_mode::pass),
                  make_route("a-second", on("GET", "/x"), {text_step(200, "a-second")}, sc::then_mode::pass)}));
    sc::player p{std::move(scenarios)};
    REQUIRE(p.scenarios().front().name == "alpha");

    auto req = make_request("GET", "/x");
    std::vector<std::string> seen;
    for (int i = 0; i < 5; ++i) {
        auto r = p.play(req);
        REQUIRE(r.plan);
        CHECK(r.plan->body == r.route);
        seen.push_back(r.scenario + "/" + r.route);
    }
    CHECK(seen ==
          std::vector<std::string>{"zeta/z-high", "alpha/a-first", "alpha/a-second", "zeta/z-first", "zeta/z-first"});
}

TEST_CASE("player: times, then forever", "[player]") {
    auto flaky = make_step(503, 2);
    flaky.headers = {{"Retry-After", "1"}};
    sc::player p{one(make_scenario(
        "flaky", {make_route("orders", on("GET", "/orders"), {flaky, text_step(200, "ok", std::nullopt)})}))};
    auto req = make_request("GET", "/orders");
    std::vector<int> statuses;
    std::vector<std::size_t> steps;
    for (int i = 0; i < 6; ++i) {
        auto r = p.play(req);
        statuses.push_back(status_of(r));
        steps.push_back(r.step);
    }
    CHECK(statuses == std::vector<int>{503, 503, 200, 200, 200, 200});
    CHECK(steps == std::vector<std::size_t>{0, 0, 1, 1, 1, 1});
}

TEST_CASE("player: then modes", "[player]") {
    auto req = make_request("GET", "/t");
    auto steps = std::vector<sc::step>{make_step(201), make_step(202, 2)};

    SECTION("repeat-last keeps answering with the last step") {
        sc::player p{one(make_scenario("s", {make_route("r", on("", "/t"), steps)}))};
        std::vector<int> got;
        for (int i = 0; i < 6; ++i) got.push_back(play_status(p, req));
        CHECK(got == std::vector<int>{201, 202, 202, 202, 202, 202});
    }
    SECTION("loop starts over") {
        sc::player p{one(make_scenario("s", {make_route("r", on("", "/t"), steps, sc::then_mode::loop)}))};
        std::vector<int> got;
        for (int i = 0; i < 7; ++i) got.push_back(play_status(p, req));
        CHECK(got == std::vector<int>{201, 202, 202, 201, 202, 202, 201});
    }
    SECTION("pass falls to the next matching route, then to nothing") {
        sc::player p{
            one(make_scenario("s", {make_route("r", on("", "/t"), steps, sc::then_mode::pass),
                                    make_route("fallback", on("", "/t"), {make_step(299)}, sc::then_mode::pass)}))};
        std::vector<int> got;
        for (int i = 0; i < 5; ++i) got.push_back(play_status(p, req));
        CHECK(got == std::vector<int>{201, 202, 202, 299, 0});
        auto r = p.play(req);
        CHECK_FALSE(r.plan);
        CHECK(r.nearest_miss == "route r of s: its steps are used up (then: pass)");
    }
    SECTION("fail answers 500 saying the sequence is exhausted") {
        sc::player p{one(make_scenario("s", {make_route("r", on("", "/t"), steps, sc::then_mode::fail)}))};
        CHECK(play_status(p, req) == 201);
        CHECK(play_status(p, req) == 202);
        CHECK(play_status(p, req) == 202);
        for (int i = 0; i < 2; ++i) {
            auto r = p.play(req);
            REQUIRE(r.plan);
            CHECK(r.exhausted);
            CHECK(r.route == "r");
            CHECK(r.step == 1);
            CHECK(r.plan->final_head.status == 500);
            REQUIRE(r.plan->final_head.find("X-Teapot-Exhausted"));
            CHECK(*r.plan->final_head.find("X-Teapot-Exhausted") == "s/r");
            CHECK(r.plan->body.view().find("exhausted") != std::string::npos);
            CHECK(*r.plan->final_head.find("Content-Type") == "text/plain; charset=utf-8");
        }
    }
}

TEST_CASE("player: isolation gives each session its own cursors", "[player]") {
    auto steps = std::vector<sc::step>{make_step(201), make_step(202), make_step(203)};
    auto check_two_sessions = [&](sc::isolation iso, const request& a, const request& b, const request& none) {
        sc::player p{one(make_scenario("iso", {make_route("r", on("GET", ""), steps)}, iso))};
        CHECK(play_status(p, a) == 201);
        CHECK(play_status(p, a) == 202);
        CHECK(play_status(p, b) == 201);     // b starts fresh
        CHECK(play_status(p, none) == 201);  // the global session, fresh too
        CHECK(play_status(p, a) == 203);
        CHECK(play_status(p, b) == 202);
        CHECK(play_status(p, none) == 202);
    };
    SECTION("by header") {
        check_two_sessions(isolate(sc::isolation::kind::header, "X-Test-Id"),
                           make_request("GET", "/", {{"x-test-id", "a"}}),
                           make_request("GET", "/", {{"X-Test-Id", "b"}}), make_request("GET", "/"));
    }
    SECTION("by query parameter") {
        check_two_sessions(isolate(sc::isolation::kind::query, "run"), make_request("GET", "/?run=a"),
                           make_request("GET", "/?x=1&run=b"), make_request("GET", "/?x=1"));
    }
    SECTION("by cookie") {
        check_two_sessions(isolate(sc::isolation::kind::cookie, "sid"),
                           make_request("GET", "/", {{"Cookie", "theme=dark; sid=a"}}),
                           make_request("GET", "/", {{"Cookie", "sid=\"b\";theme=dark"}}),
                           make_request("GET", "/", {{"Cookie", "sidx=a; theme=dark"}}));
    }
    SECTION("global: one session for everyone") {
        sc::player p{one(make_scenario("iso", {make_route("r", on("GET", ""), steps)}))};
        CHECK(play_status(p, make_request("GET", "/", {{"X-Test-Id", "a"}})) == 201);
        CHECK(play_status(p, make_request("GET", "/", {{"X-Test-Id", "b"}})) == 202);
    }
}

TEST_CASE("player: set_state and when_state script a polling job", "[player]") {
    auto running = make_step(202, 1);
    auto finishing = make_step(202, 1);
    finishing.set_state = "done";
    auto result = text_step(200, "{\"result\": 42}", std::nullopt);
    auto done_route = make_route("job-done", on("GET", "/jobs/{id}"), {result});
    done_route.when_state = "done";
    auto iso = isolate(sc::isolation::kind::header, "X-Test-Id");
    sc::player p{one(make_scenario(
        "polling", {done_route, make_route("job-poll", on("GET", "/jobs/{id}"), {running, finishing})}, iso))};

    auto a = make_request("GET", "/jobs/1", {{"X-Test-Id", "a"}});
    auto b = make_request("GET", "/jobs/1", {{"X-Test-Id", "b"}});
    auto r = p.play(a);
    CHECK(r.route == "job-poll");
    CHECK(status_of(r) == 202);
    CHECK(play_status(p, a) == 202);
    r = p.play(a);
    CHECK(r.route == "job-done");
    CHECK(status_of(r) == 200);
    CHECK(r.plan->body == "{\"result\": 42}");
    CHECK(play_status(p, a) == 200);
    // Another session has its own state.
    CHECK(play_status(p, b) == 202);

    // A route waiting for a state names it when it is the nearest miss.
    auto waiting = make_route("wait", on("GET", "/w"), {make_step(200)});
    waiting.when_state = "ready";
    sc::player q{one(make_scenario("states", {waiting}))};
    auto miss = q.play(make_request("GET", "/w"));
    CHECK_FALSE(miss.plan);
    CHECK(miss.nearest_miss == "route wait of states: state is unset, not ready");
}

TEST_CASE("player: steps get the catalogue defaults of their status, overridable", "[player]") {
    auto overridden = make_step(429);
    overridden.headers = {{"retry-after", "7"}, {"X-Extra", "yes"}};
    overridden.body = "slow down";
    overridden.reason = "Easy There";
    overridden.delay = 150ms;
    sc::player p{one(make_scenario("defaults", {make_route("limited", on("", "/429"), {make_step(429, std::nullopt)}),
                                                make_route("down", on("", "/503"), {make_step(503, std::nullopt)}),
                                                make_route("custom", on("", "/custom"), {overridden}),
                                                make_route("closing", on("", "/444"), {make_step(444)})}))};

    auto r = p.play(make_request("GET", "/429"));
    REQUIRE(r.plan);
    CHECK(r.plan->final_head.status == 429);
    CHECK(r.plan->final_head.reason == "Too Many Requests");
    REQUIRE(r.plan->final_head.find("Retry-After"));
    CHECK(*r.plan->final_head.find("Retry-After") == "1");
    CHECK_FALSE(r.plan->body.empty());

    r = p.play(make_request("GET", "/503"));
    REQUIRE(r.plan);
    CHECK(r.plan->final_head.find("Retry-After"));

    r = p.play(make_request("GET", "/custom"));
    REQUIRE(r.plan);
    int retry_after_fields = 0;
    for (const auto& h : r.plan->final_head.headers)
        if (teapot::detail::iequals(h.name, "Retry-After")) ++retry_after_fields;
    CHECK(retry_after_fields == 1);
    CHECK(*r.plan->final_head.find("Retry-After") == "7");
    CHECK(*r.plan->final_head.find("X-Extra") == "yes");
    CHECK(r.plan->final_head.reason == "Easy There");
    CHECK(r.plan->body == "slow down");
    CHECK(r.plan->delay == 150ms);

    r = p.play(make_request("GET", "/444"));
    REQUIRE(r.plan);
    CHECK(r.plan->action == response_plan::kind::close_silently);
}

TEST_CASE("player: interim responses before the final one, never to HTTP/1.0", "[player]") {
    auto s = text_step(200, "done", std::nullopt);
    s.interim = {100, 103};
    sc::player p{one(make_scenario("hints", {make_route("r", on("", "/h"), {s})}))};

    auto r = p.play(make_request("GET", "/h"));
    REQUIRE(r.plan);
    REQUIRE(r.plan->interim.size() == 2);
    CHECK(r.plan->interim[0].status == 100);
    CHECK(r.plan->interim[1].status == 103);
    CHECK(r.plan->interim[1].find("Link"));
    CHECK(r.plan->final_head.status == 200);

    r = p.play(make_request("GET", "/h", {}, {}, 10));
    REQUIRE(r.plan);
    CHECK(r.plan->interim.empty());
    CHECK(r.plan->final_head.status == 200);

    // A 1xx status is an interim response followed by a 200, as /status/1xx sends.
    sc::player q{one(make_scenario("early", {make_route("r", on("", ""), {make_step(103, std::nullopt)})}))};
    r = q.play(make_request("GET", "/"));
    REQUIRE(r.plan);
    REQUIRE(r.plan->interim.size() == 1);
    CHECK(r.plan->interim[0].status == 103);
    CHECK(r.plan->final_head.status == 200);
}

TEST_CASE("player: HEAD gets GET's head without the body", "[player]") {
    sc::player p{one(make_scenario("head", {make_route("r", on("", "/x"), {text_step(200, "hello", std::nullopt)})}))};
    auto get = p.play(make_request("GET", "/x"));
    auto head = p.play(make_request("HEAD", "/x"));
    REQUIRE(get.plan);
    REQUIRE(head.plan);
    CHECK_FALSE(get.plan->omit_body);
    CHECK(head.plan->omit_body);
    CHECK(head.plan->final_head.status == 200);
    CHECK(head.plan->body == get.plan->body);  // the writer sends its length, not its bytes
    CHECK(*head.plan->final_head.find("Content-Type") == *get.plan->final_head.find("Content-Type"));
}

TEST_CASE("player: exact, pattern, regex and pathless routes keep priority and declaration order", "[player]") {
    // The player looks routes up by path; whichever way a route is found, the order must hold.
    auto answer = [](sc::player& p, std::string_view method, std::string_view target) {
        auto r = p.play(make_request(method, target));
        return r.plan ? r.route : "none: " + r.nearest_miss;
    };
    std::vector<sc::route> routes;
    routes.push_back(make_route("any-post", on("POST", ""), {make_step(201, std::nullopt)}));
    routes.push_back(make_route("exact", on("GET", "/orders/7"), {make_step(200, std::nullopt)}));
    routes.push_back(make_route("pattern", on("GET", "/orders/{id}"), {make_step(200, std::nullopt)}));
    routes.push_back(make_route("regex", on("GET", "~/orders/[0-9]+"), {make_step(200, std::nullopt)}));
    routes.push_back(make_route("pattern-high", on("DELETE", "/orders/{id}"), {make_step(204, std::nullopt)},
                                sc::then_mode::repeat_last, 5));
    routes.push_back(make_route("regex-high", on("PUT", "~/orders/.*"), {make_step(204, std::nullopt)},
                                sc::then_mode::repeat_last, 5));
    // Many routes that never match these requests, as a large scenario has.
    for (int i = 0; i < 200; ++i)
        routes.push_back(make_route("filler-" + std::to_string(i), on("GET", "/filler/" + std::to_string(i)),
                                    {make_step(200, std::nullopt)}));
    routes.push_back(make_route("last", on("GET", "/last"), {make_step(200, std::nullopt)}));
    sc::player p{one(make_scenario("mixed", std::move(routes)))};

    CHECK(answer(p, "GET", "/orders/7") == "exact");    // declared before the pattern and the regex
    CHECK(answer(p, "GET", "/orders/8") == "pattern");  // the exact one does not fit
    // Only the regex-high path fits, with another method: that is the nearest miss.
    CHECK(answer(p, "GET", "/orders/8/x") == "none: route regex-high of mixed: method GET is not PUT");
    CHECK(answer(p, "POST", "/orders/7") == "any-post");  // no path: every path
    CHECK(answer(p, "DELETE", "/orders/7") == "pattern-high");
    CHECK(answer(p, "PUT", "/orders/7/x") == "regex-high");
    CHECK(answer(p, "GET", "/last") == "last");
    CHECK(answer(p, "GET", "/filler/199") == "filler-199");
    // Nothing fits: the nearest miss still looks at every route.
    CHECK(answer(p, "PATCH", "/last") == "none: route last of mixed: method PATCH is not GET");
    // A path no route has: the first route that takes the method is nearest (after the
    // priority-5 ones, which take other methods), found without trying the 200 others.
    CHECK(answer(p, "GET", "/nowhere") == "none: route exact of mixed: path /nowhere is not /orders/7");
    CHECK(answer(p, "HEAD", "/nowhere") == "none: route exact of mixed: path /nowhere is not /orders/7");
    CHECK(answer(p, "TRACE", "/nowhere") == "none: route pattern-high of mixed: method TRACE is not DELETE");
}

TEST_CASE("player: nearest miss names the route that passed the most criteria", "[player]") {
    sc::player none{{}};
    auto empty = none.play(make_request("GET", "/"));
    CHECK_FALSE(empty.plan);
    CHECK(empty.nearest_miss.empty());

    auto deep = on("GET", "/api/orders");
    deep.query = {{"page", exact("1")}};
    sc::player p{
        one(make_scenario("flaky-orders", {make_route("other", on("DELETE", "/x"), {make_step(200)}),
                                           make_route("list-orders", on("GET", "/api/orders"), {make_step(200)}),
                                           make_route("paged", deep, {make_step(200)})}))};
    auto r = p.play(make_request("POST", "/api/orders"));
    CHECK_FALSE(r.plan);
    // All three fail on the method; a route whose path matched is nearer, and the first declared wins a tie.
    CHECK(r.nearest_miss == "route list-orders of flaky-orders: method POST is not GET");
    r = p.play(make_request("POST", "/elsewhere"));
    CHECK(r.nearest_miss == "route other of flaky-orders: method POST is not DELETE");
    // The right method on a wrong path is farther than the right path with a wrong method.
    r = p.play(make_request("DELETE", "/api/orders"));
    CHECK(r.nearest_miss == "route list-orders of flaky-orders: method DELETE is not GET");

    sc::player q{
        one(make_scenario("flaky-orders", {make_route("list-orders", on("GET", "/api/orders"), {make_step(200)}),
                                           make_route("paged", deep, {make_step(200)})}))};
    r = q.play(make_request("GET", "/api/orders/"));
    CHECK(r.nearest_miss == "route list-orders of flaky-orders: path /api/orders/ is not /api/orders");

    sc::player d{one(make_scenario("flaky-orders", {make_route("other", on("DELETE", "/x"), {make_step(200)}),
                                                    make_route("paged", deep, {make_step(200)})}))};
    r = d.play(make_request("GET", "/api/orders?page=2"));
    CHECK(r.nearest_miss == "route paged of flaky-orders: query page is \"2\", not \"1\"");
}

TEST_CASE("player: concurrent plays consume exactly one step slot each", "[player]") {
    sc::player p{one(make_scenario("stress", {make_route("r", on("GET", "/s"),
                                                         {make_step(200, 1000), make_step(201, 1000),
                                                          make_step(202, 1000), make_step(203, std::nullopt)})}))};
    constexpr int threads = 8;
    constexpr int calls = 500;
    std::mutex m;
    std::map<int, int> histogram;
    std::map<std::size_t, int> steps;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            auto req = make_request("GET", "/s");
            std::map<int, int> mine;
            std::map<std::size_t, int> my_steps;
            for (int i = 0; i < calls; ++i) {
                auto r = p.play(req);
                ++mine[status_of(r)];
                ++my_steps[r.step];
            }
            std::lock_guard lock{m};
            for (auto [k, v] : mine) histogram[k] += v;
            for (auto [k, v] : my_steps) steps[k] += v;
        });
    }
    for (auto& t : pool) t.join();
    CHECK(histogram == std::map<int, int>{{200, 1000}, {201, 1000}, {202, 1000}, {203, 1000}});
    CHECK(steps == std::map<std::size_t, int>{{0, 1000}, {1, 1000}, {2, 1000}, {3, 1000}});
}

TEST_CASE("player: idle sessions expire", "[player]") {
    sc::player_limits limits;
    limits.session_ttl = 20ms;
    sc::player p{one(make_scenario("ttl", {make_route("r", on("", ""), {make_step(201), make_step(202)})},
                                   isolate(sc::isolation::kind::header, "X-Test-Id"))),
                 limits};
    auto a = make_request("GET", "/", {{"X-Test-Id", "a"}});
    auto global = make_request("GET", "/");
    CHECK(play_status(p, a) == 201);
    CHECK(play_status(p, a) == 202);
    CHECK(play_status(p, global) == 201);
    std::this_thread::sleep_for(60ms);
    CHECK(play_status(p, a) == 201);  // forgotten: starts over
    // The global session is the fallback for requests without a key: it never expires.
    CHECK(play_status(p, global) == 202);
}

TEST_CASE("player: sessions are capped, the least recently used goes", "[player]") {
    sc::player_limits limits;
    limits.max_sessions = 2;
    sc::player p{one(make_scenario("cap", {make_route("r", on("", ""), {make_step(201), make_step(202)})},
                                   isolate(sc::isolation::kind::query, "k"))),
                 limits};
    auto a = make_request("GET", "/?k=a");
    auto b = make_request("GET", "/?k=b");
    auto c = make_request("GET", "/?k=c");
    CHECK(play_status(p, a) == 201);
    CHECK(play_status(p, b) == 201);
    CHECK(play_status(p, a) == 202);  // a is now the most recently used
    CHECK(play_status(p, c) == 201);  // evicts b
    CHECK(play_status(p, a) == 202);  // a kept its cursor
    CHECK(play_status(p, b) == 201);  // b starts over (and evicts c)
    CHECK(play_status(p, c) == 201);
}

TEST_CASE("player: a GET route answers HEAD too, and only GET's routes", "[player]") {
    sc::player p{one(
        make_scenario("head-get", {make_route("get-only", on("GET", "/x"), {text_step(200, "hello", std::nullopt)})}))};
    auto head = p.play(make_request("HEAD", "/x"));
    REQUIRE(head.plan);
    CHECK(head.plan->omit_body);
    CHECK(head.route == "get-only");
    CHECK_FALSE(p.play(make_request("POST", "/x")).plan);
}

// ---------------------------------------------------------------- random streams and one_of

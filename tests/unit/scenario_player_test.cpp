#include <catch2/catch.hpp>

#include "plan/request.hpp"
#include "plan/response_plan.hpp"
#include "scenario/matcher.hpp"
#include "scenario/model.hpp"
#include "scenario/player.hpp"
#include "scenario/random_stream.hpp"
#include "scenario/regex.hpp"
#include "scenario/template.hpp"
#include "util/http_date.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
namespace sc = teapot::detail::scenario;
using teapot::detail::request;
using teapot::detail::response_plan;

namespace {

using header_list = std::vector<std::pair<std::string_view, std::string_view>>;

request make_request(std::string_view method, std::string_view target, header_list headers = {},
                     std::string_view body = {}, unsigned version = 11) {
    request req;
    req.method = method;
    req.target = target;
    req.version = version;
    req.headers = std::move(headers);
    req.body = body;
    return req;
}

sc::value_matcher exact(std::string text) {
    sc::value_matcher vm;
    vm.text = std::move(text);
    return vm;
}

sc::value_matcher regex(std::string text) {
    sc::value_matcher vm;
    vm.how = sc::value_matcher::kind::regex;
    vm.regex = sc::compile_regex(text).regex;
    vm.text = std::move(text);
    return vm;
}

sc::value_matcher present() {
    sc::value_matcher vm;
    vm.how = sc::value_matcher::kind::present;
    vm.text = "*";
    return vm;
}

sc::value_matcher absent() {
    sc::value_matcher vm;
    vm.how = sc::value_matcher::kind::absent;
    vm.text = "!";
    return vm;
}

// "/orders/{id}" is a pattern, "~..." a regex, anything else exact: as the loader decides.
sc::path_matcher path(std::string text) {
    sc::path_matcher pm;
    if (text.starts_with('~')) {
        pm.how = sc::path_matcher::kind::regex;
        pm.text = text.substr(1);
        pm.regex = sc::compile_regex(pm.text).regex;
        return pm;
    }
    pm.text = text;
    if (text.find('{') == std::string::npos) return pm;
    pm.how = sc::path_matcher::kind::pattern;
    std::size_t start = 0;
    while (start < text.size()) {
        auto slash = text.find('/', start);
        if (slash == std::string::npos) slash = text.size();
        if (slash > start) pm.segments.push_back(text.substr(start, slash - start));
        start = slash + 1;
    }
    return pm;
}

sc::route_match on(std::string method, std::string p) {
    sc::route_match m;
    if (!method.empty()) m.methods.push_back(std::move(method));
    if (!p.empty()) m.path = path(std::move(p));
    return m;
}

sc::step make_step(int status, std::optional<std::uint64_t> times = 1) {
    sc::step s;
    s.status = status;
    s.times = times;
    return s;
}

sc::step text_step(int status, std::string body, std::optional<std::uint64_t> times = 1) {
    auto s = make_step(status, times);
    s.body = std::move(body);
    s.content_type = "text/plain";
    return s;
}

sc::route make_route(std::string id, sc::route_match m, std::vector<sc::step> steps,
                     sc::then_mode then = sc::then_mode::repeat_last, int priority = 0) {
    sc::route r;
    r.id = std::move(id);
    r.match = std::move(m);
    r.steps = std::move(steps);
    r.then = then;
    r.priority = priority;
    return r;
}

sc::scenario make_scenario(std::string name, std::vector<sc::route> routes, sc::isolation iso = {}) {
    sc::scenario s;
    s.name = std::move(name);
    s.routes = std::move(routes);
    s.isolate_by = std::move(iso);
    return s;
}

sc::isolation isolate(sc::isolation::kind by, std::string name) {
    sc::isolation iso;
    iso.by = by;
    iso.name = std::move(name);
    return iso;
}

std::vector<sc::scenario> one(sc::scenario s) {
    std::vector<sc::scenario> v;
    v.push_back(std::move(s));
    return v;
}

int status_of(const sc::play_result& r) { return r.plan ? r.plan->final_head.status : 0; }

int play_status(sc::player& p, const request& req) { return status_of(p.play(req)); }

std::string header_of(const sc::play_result& r, std::string_view name) {
    const auto* v = r.plan ? r.plan->final_head.find(name) : nullptr;
    return v ? *v : std::string{};
}

std::size_t header_count(const sc::play_result& r, std::string_view name) {
    if (!r.plan) return 0;
    return static_cast<std::size_t>(
        std::count_if(r.plan->final_head.headers.begin(), r.plan->final_head.headers.end(),
                      [&](const auto& h) { return teapot::detail::iequals(h.name, name); }));
}

}  // namespace

// ---------------------------------------------------------------- matcher

TEST_CASE("matcher: method, any or one of a list", "[matcher]") {
    auto get = make_request("GET", "/x");
    auto post = make_request("POST", "/x");
    CHECK(sc::match(on("", ""), post).matched);
    CHECK(sc::match(on("GET", ""), get).matched);

    auto miss = sc::match(on("GET", ""), post);
    CHECK_FALSE(miss.matched);
    CHECK(miss.passed == 0);
    CHECK(miss.failed == sc::criterion::method);
    CHECK(miss.reason == "method POST is not GET");

    auto m = on("GET", "");
    m.methods.push_back("PUT");
    CHECK(sc::match(m, make_request("PUT", "/x")).matched);
    CHECK(sc::match(m, make_request("DELETE", "/x")).reason == "method DELETE is not one of GET, PUT");
}

TEST_CASE("matcher: exact path, compared percent-decoded, query ignored", "[matcher]") {
    auto m = on("", "/api/café");
    CHECK(sc::match(m, make_request("GET", "/api/caf%C3%A9?page=1")).matched);
    CHECK(sc::match(on("", "/api/orders"), make_request("GET", "/api/orders")).matched);

    auto miss = sc::match(on("", "/api/orders"), make_request("GET", "/api/orders/"));
    CHECK(miss.failed == sc::criterion::path);
    CHECK(miss.passed == 1);
    CHECK(miss.reason == "path /api/orders/ is not /api/orders");

    // Absolute-form (to a proxy) is matched on its path too.
    CHECK(sc::match(on("", "/api/orders"), make_request("GET", "http://example.org/api/orders")).matched);

    auto bad = sc::match(on("", "/api/orders"), make_request("GET", "not a target"));
    CHECK(bad.failed == sc::criterion::path);
    CHECK(bad.reason == "target \"not a target\" is malformed");
}

TEST_CASE("matcher: path pattern captures whole segments", "[matcher]") {
    auto m = on("", "/orders/{id}/items/{item}");
    auto r = sc::match(m, make_request("GET", "/orders/42/items/a%2Fb"));
    REQUIRE(r.matched);
    REQUIRE(r.captures.size() == 2);
    CHECK(r.captures[0] == std::pair<std::string, std::string>{"id", "42"});
    CHECK(r.captures[1] == std::pair<std::string, std::string>{"item", "a/b"});

    auto short_path = sc::match(m, make_request("GET", "/orders/42"));
    CHECK_FALSE(short_path.matched);
    CHECK(short_path.captures.empty());
    CHECK(short_path.reason == "path /orders/42 does not fit /orders/{id}/items/{item}");
    CHECK_FALSE(sc::match(m, make_request("GET", "/orders/42/items/7/more")).matched);
    CHECK_FALSE(sc::match(m, make_request("GET", "/orders/42/other/7")).matched);
    // A capture never takes an empty segment.
    CHECK_FALSE(sc::match(m, make_request("GET", "/orders//items/7")).matched);
    CHECK_FALSE(sc::match(on("", "/orders/{id}"), make_request("GET", "/orders/")).matched);
}

TEST_CASE("matcher: regex path matches the whole path", "[matcher]") {
    auto m = on("", "~/api/v[0-9]+/.*");
    CHECK(sc::match(m, make_request("GET", "/api/v2/orders")).matched);
    CHECK(sc::match(m, make_request("GET", "/api/v%32/orders")).matched);  // decoded first
    auto miss = sc::match(m, make_request("GET", "/x/api/v2/orders"));
    CHECK_FALSE(miss.matched);
    CHECK(miss.reason == "path /x/api/v2/orders does not match ~/api/v[0-9]+/.*");
}

TEST_CASE("matcher: query values: exact, regex, present, absent", "[matcher]") {
    auto m = on("GET", "/q");
    m.query = {{"page", exact("1")}, {"sort", regex("^(asc|desc)$")}, {"token", present()}, {"debug", absent()}};
    CHECK(sc::match(m, make_request("GET", "/q?&&page=1&sort=asc&token=&x=y")).matched);
    CHECK(sc::match(m, make_request("GET", "/q?token=t&sort=desc&page=%31")).matched);

    auto fails = [&](std::string_view target) { return sc::match(m, make_request("GET", target)); };
    auto r = fails("/q?page=2&sort=asc&token=t");
    CHECK(r.failed == sc::criterion::query);
    CHECK(r.passed == 2);
    CHECK(r.reason == "query page is \"2\", not \"1\"");
    CHECK(fails("/q?sort=asc&token=t").reason == "query page is missing");
    CHECK(fails("/q?page=1&sort=up&token=t").reason == "query sort \"up\" does not match ~^(asc|desc)$");
    CHECK(fails("/q?page=1&sort=asc").reason == "query token is missing");
    CHECK(fails("/q?page=1&sort=asc&token=t&debug=1").reason == "query debug is present (\"1\"), expected absent");
    // Names are case-sensitive; values are decoded.
    CHECK(fails("/q?PAGE=1&sort=asc&token=t").reason == "query page is missing");
    auto spaced = on("", "");
    spaced.query = {{"q", exact("a b")}};
    CHECK(sc::match(spaced, make_request("GET", "/?q=a%20b")).matched);
    // A repeated parameter matches when any of its values does.
    CHECK(sc::match(spaced, make_request("GET", "/?q=x&q=a%20b")).matched);
}

TEST_CASE("matcher: header values, names case-insensitive", "[matcher]") {
    auto m = on("", "");
    m.headers = {{"Accept", regex("json")}, {"x-test-id", present()}, {"X-Debug", absent()}, {"X-Tier", exact("gold")}};
    CHECK(sc::match(m,
                    make_request("GET", "/", {{"accept", "application/json"}, {"X-Test-Id", "t1"}, {"x-tier", "gold"}}))
              .matched);

    auto r = sc::match(m, make_request("GET", "/", {{"Accept", "text/html"}, {"X-Test-Id", "t1"}, {"X-Tier", "gold"}}));
    CHECK(r.failed == sc::criterion::headers);
    CHECK(r.passed == 3);
    CHECK(r.reason == "header Accept \"text/html\" does not match ~json");
    CHECK(sc::match(m, make_request("GET", "/", {{"Accept", "json"}, {"X-Tier", "gold"}})).reason ==
          "header x-test-id is missing");
    CHECK(sc::match(m, make_request("GET", "/",
                                    {{"Accept", "json"}, {"X-Test-Id", "1"}, {"X-Debug", "1"}, {"X-Tier", "gold"}}))
              .reason == "header X-Debug is present (\"1\"), expected absent");
    CHECK(sc::match(m, make_request("GET", "/", {{"Accept", "json"}, {"X-Test-Id", "1"}, {"X-Tier", "Gold"}})).reason ==
          "header X-Tier is \"Gold\", not \"gold\"");
}

TEST_CASE("matcher: body contains, equals, regex", "[matcher]") {
    auto m = on("POST", "");
    m.body.how = sc::body_matcher::kind::contains;
    m.body.text = "sku";
    CHECK(sc::match(m, make_request("POST", "/", {}, "{\"sku\": 1}")).matched);
    auto r = sc::match(m, make_request("POST", "/", {}, "nothing"));
    CHECK(r.failed == sc::criterion::body);
    CHECK(r.passed == 4);
    CHECK(r.reason == "body does not contain \"sku\"");

    m.body.how = sc::body_matcher::kind::equals;
    m.body.text = "exact";
    CHECK(sc::match(m, make_request("POST", "/", {}, "exact")).matched);
    CHECK(sc::match(m, make_request("POST", "/", {}, "exact ")).reason == "body is not exactly \"exact\"");

    m.body.how = sc::body_matcher::kind::regex;
    m.body.text = "qty=[0-9]+";
    m.body.regex = sc::compile_regex(m.body.text).regex;
    CHECK(sc::match(m, make_request("POST", "/", {}, "a=1&qty=42&b=2")).matched);
    CHECK(sc::match(m, make_request("POST", "/", {}, "qty=x")).reason == "body does not match ~qty=[0-9]+");
}

// RE2's worst case is about program size × subject bytes: a match beyond the budget is not
// run (the request becomes a 500 naming it), never one that holds the thread for seconds.
TEST_CASE("matcher: a regex match beyond the work budget is refused, not run", "[matcher]") {
    auto m = on("", "");
    m.body.how = sc::body_matcher::kind::regex;
    m.body.text = "qty=[0-9]+";
    m.body.regex = sc::compile_regex(m.body.text).regex;
    const auto size = static_cast<std::uint64_t>(m.body.regex->program_size());
    const std::string body = std::string(1000, 'x') + "qty=1";
    const auto req = make_request("POST", "/", {}, body);
    CHECK(sc::match(m, sc::match_subject{req, size * req.body.size()}).matched);
    try {
        (void)sc::match(m, sc::match_subject{req, size * req.body.size() - 1});
        FAIL("the match ran");
    } catch (const std::runtime_error& e) {
        CHECK(std::string{e.what()} ==
              "the regex ~qty=[0-9]+ (" + std::to_string(size) +
                  " RE2 instructions) was not run against the body of 1005 bytes: " + std::to_string(size) +
                  " x 1005 exceeds --max-regex-work (" + std::to_string(size * 1005 - 1) + ")");
    }
    auto on_header = on("", "");
    on_header.headers.emplace_back("X-Id", regex("^[0-9]+$"));
    CHECK_THROWS_WITH(sc::match(on_header, sc::match_subject{make_request("GET", "/", {{"X-Id", "12345"}}), 1}),
                      Catch::Contains("was not run against header X-Id of 5 bytes"));
    CHECK_THROWS_WITH(sc::match(on("", "~/[a-z]+"), sc::match_subject{make_request("GET", "/abc"), 1}),
                      Catch::Contains("was not run against the path of 4 bytes"));
}

TEST_CASE("matcher: body json is a partial, recursive match", "[matcher]") {
    auto m = on("", "");
    m.body.how = sc::body_matcher::kind::json;
    m.body.json = boost::json::parse(R"({"user": {"id": 7, "name": "ann"}, "tags": ["a", "b"], "ok": true})");

    CHECK(sc::match(m, make_request("POST", "/", {}, R"({"extra": 1, "ok": true, "tags": ["a","b"],
        "user": {"name": "ann", "id": 7, "age": 30}})"))
              .matched);
    auto differs = [&](std::string_view body) { return sc::match(m, make_request("POST", "/", {}, body)).reason; };
    CHECK(differs(R"({"user": {"id": 8, "name": "ann"}, "tags": ["a","b"], "ok": true})") ==
          "body JSON differs at /user/id");
    CHECK(differs(R"({"user": {"name": "ann"}, "tags": ["a","b"], "ok": true})") == "body JSON differs at /user/id");
    // Arrays are equal or not: no partial match inside them.
    CHECK(differs(R"({"user": {"id": 7, "name": "ann"}, "tags": ["a","b","c"], "ok": true})") ==
          "body JSON differs at /tags");
    CHECK(differs(R"({"user": "ann", "tags": ["a","b"], "ok": true})") == "body JSON differs at /user");
    CHECK(differs("not json") == "body is not JSON");
    CHECK(differs("") == "body is not JSON");
    // Parsed 256 levels deep (Boost.JSON's default stops at 32); deeper says so.
    auto nested = [](int depth) {
        return "{\"user\": {\"id\": 7, \"name\": \"ann\"}, \"tags\": [\"a\",\"b\"], \"ok\": true, \"deep\": " +
               std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
    };
    CHECK(sc::match(m, make_request("POST", "/", {}, nested(256))).matched);
    CHECK(differs(nested(257)) == "body JSON is nested deeper than 256 levels, more than teapot parses to match it");

    std::string where;
    CHECK(sc::json_contains(boost::json::parse("[1,2]"), boost::json::parse("[1,2]"), where));
    CHECK_FALSE(sc::json_contains(boost::json::parse("{\"a/b\":1}"), boost::json::parse("{\"a/b\":2}"), where));
    CHECK(where == "/a~1b");
}

// ---------------------------------------------------------------- player

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

namespace {

sc::step one_of_step(std::vector<std::pair<int, double>> alternatives, std::optional<std::uint64_t> times = 1) {
    auto s = make_step(200, times);
    for (auto [status, weight] : alternatives) {
        auto& alt = s.one_of.emplace_back();
        alt.weight = weight;
        alt.answer.status = status;
    }
    return s;
}

// A scenario whose route "draw" answers forever with one of 200/201/202 (equal weights).
sc::scenario drawing(std::optional<std::uint64_t> seed, std::vector<sc::route> extra_before = {},
                     std::vector<sc::route> extra_after = {}) {
    auto routes = std::move(extra_before);
    routes.push_back(
        make_route("draw", on("GET", "/draw"), {one_of_step({{200, 1}, {201, 1}, {202, 1}}, std::nullopt)}));
    for (auto& r : extra_after) routes.push_back(std::move(r));
    auto s = make_scenario("dice", std::move(routes), isolate(sc::isolation::kind::header, "X-Test-Id"));
    s.seed = seed;
    return s;
}

std::vector<int> draws(sc::player& p, std::string_view session, int n) {
    header_list headers;
    if (!session.empty()) headers.emplace_back("X-Test-Id", session);
    auto req = make_request("GET", "/draw", headers);
    std::vector<int> out;
    for (int i = 0; i < n; ++i) {
        auto r = p.play(req);
        REQUIRE(r.alternative);
        CHECK(status_of(r) == 200 + static_cast<int>(*r.alternative));
        out.push_back(status_of(r));
    }
    return out;
}

sc::player_limits seeded(std::uint64_t seed) {
    sc::player_limits limits;
    limits.seed = seed;
    return limits;
}

}  // namespace

TEST_CASE("random streams: seeds depend on seed, scenario and route, not on anything else", "[random]") {
    auto base = sc::stream_seed(42, "dice", "draw");
    CHECK(sc::stream_seed(42, "dice", "draw") == base);
    CHECK(sc::stream_seed(43, "dice", "draw") != base);
    CHECK(sc::stream_seed(42, "dicE", "draw") != base);
    CHECK(sc::stream_seed(42, "dice", "drew") != base);
    // The separator: ("ab", "c") is not ("a", "bc").
    CHECK(sc::stream_seed(1, "ab", "c") != sc::stream_seed(1, "a", "bc"));

    std::mt19937_64 engine{base};
    for (int i = 0; i < 1000; ++i) {
        double u = sc::next_unit(engine);
        CHECK(u >= 0.0);
        CHECK(u < 1.0);
    }
    std::vector<double> weights{1, 3};
    CHECK(sc::pick_weighted(weights, 0.0) == 0);
    CHECK(sc::pick_weighted(weights, 0.2499) == 0);
    CHECK(sc::pick_weighted(weights, 0.25) == 1);
    CHECK(sc::pick_weighted(weights, 0.9999999) == 1);
}

TEST_CASE("one_of: each session draws a sequence of its own, the same for its key in every run", "[player][one_of]") {
    sc::player p{one(drawing(42))};
    auto a = draws(p, "alpha", 60);
    auto b = draws(p, "b", 60);
    auto global = draws(p, "", 60);
    CHECK(a != b);
    CHECK(a != global);
    CHECK(b != global);
    // A real draw, not a constant: every alternative shows up in 60 draws.
    for (int status : {200, 201, 202}) CHECK(std::count(a.begin(), a.end(), status) > 0);
    // The key's sequence depends on the seed and the key only: another player, interleaving
    // two sessions, draws for each what a player with one session draws for it.
    sc::player q{one(drawing(42))};
    std::vector<int> c, d;
    for (int i = 0; i < 30; ++i) {
        c.push_back(draws(q, "alpha", 1)[0]);
        d.push_back(draws(q, "b", 1)[0]);
    }
    CHECK(c == std::vector<int>(a.begin(), a.begin() + 30));
    CHECK(d == std::vector<int>(b.begin(), b.begin() + 30));
    // The global session keeps the route's own stream.
    sc::player r{one(drawing(42))};
    CHECK(draws(r, "", 60) == global);
}

TEST_CASE("random streams: a session's seed depends on the route's seed and the key", "[random]") {
    const auto route = sc::stream_seed(42, "dice", "draw");
    CHECK(sc::session_stream_seed(route, "") == route);
    const auto t1 = sc::session_stream_seed(route, "t1");
    CHECK(t1 != route);
    CHECK(sc::session_stream_seed(route, "t1") == t1);
    CHECK(sc::session_stream_seed(route, "t2") != t1);
    CHECK(sc::session_stream_seed(route + 1, "t1") != t1);
}

TEST_CASE("one_of: a seed replays a run, another seed draws otherwise", "[player][one_of]") {
    sc::player first{one(drawing(42))};
    sc::player again{one(drawing(42))};
    sc::player other{one(drawing(43))};
    auto run = draws(first, "s", 60);
    CHECK(draws(again, "s", 60) == run);
    CHECK(draws(other, "s", 60) != run);

    SECTION("the server's seed serves scenarios without their own") {
        sc::player a{one(drawing(std::nullopt)), seeded(42)};
        sc::player b{one(drawing(std::nullopt)), seeded(42)};
        sc::player c{one(drawing(std::nullopt)), seeded(7)};
        auto from_server = draws(a, "s", 60);
        CHECK(draws(b, "s", 60) == from_server);
        CHECK(draws(c, "s", 60) != from_server);
        // Same value, same stream: the seed's origin does not matter.
        CHECK(from_server == run);
    }
    SECTION("the scenario's seed wins over the server's") {
        sc::player a{one(drawing(42)), seeded(1)};
        sc::player b{one(drawing(42)), seeded(2)};
        CHECK(draws(a, "s", 60) == run);
        CHECK(draws(b, "s", 60) == run);
    }
    SECTION("without any seed, each player draws one of its own") {
        sc::player a{one(drawing(std::nullopt))};
        sc::player b{one(drawing(std::nullopt))};
        CHECK(draws(a, "x", 60) != draws(b, "x", 60));  // equal once in 3^60
    }
}

TEST_CASE("one_of: adding a route does not change another route's draws", "[player][one_of]") {
    sc::player alone{one(drawing(42))};
    std::vector<sc::route> before;
    before.push_back(make_route("coin", on("GET", "/coin"), {one_of_step({{200, 1}, {500, 1}}, std::nullopt)}));
    std::vector<sc::route> after;
    after.push_back(make_route("other", on("GET", "/other"), {one_of_step({{200, 1}, {500, 3}}, std::nullopt)}));
    sc::player crowded{one(drawing(42, std::move(before), std::move(after)))};
    // The new routes draw too, interleaved: they have streams of their own.
    auto coin = make_request("GET", "/coin", {{"X-Test-Id", "s"}});
    std::vector<int> expected = draws(alone, "s", 40), got;
    for (int i = 0; i < 40; ++i) {
        CHECK(crowded.play(coin).alternative);
        got.push_back(draws(crowded, "s", 1)[0]);
    }
    CHECK(got == expected);
}

TEST_CASE("one_of: weights are honoured over many draws", "[player][one_of]") {
    sc::player p{one(make_scenario("weighted",
                                   {make_route("r", on("", ""), {one_of_step({{200, 80}, {503, 20}}, std::nullopt)})})),
                 seeded(1)};
    auto req = make_request("GET", "/");
    std::map<int, int> histogram;
    constexpr int n = 10'000;
    for (int i = 0; i < n; ++i) ++histogram[play_status(p, req)];
    CHECK(histogram.size() == 2);
    // 80% of 10 000 with a standard deviation of 40: 7 600..8 400 is ten of them.
    CHECK(histogram[200] > 7600);
    CHECK(histogram[200] < 8400);
    CHECK(histogram[200] + histogram[503] == n);
}

TEST_CASE("one_of: the step's times counts draws, the drawn alternative sets the state", "[player][one_of]") {
    auto flaky = one_of_step({{200, 1}, {503, 1}}, 4);
    flaky.one_of[0].answer.set_state = "up";
    flaky.one_of[1].answer.set_state = "down";
    flaky.one_of[1].answer.headers.push_back({"Retry-After", "3"});
    auto st = make_scenario("states", {make_route("r", on("GET", "/r"), {flaky, make_step(204)}),
                                       make_route("up", on("GET", "/state"), {make_step(210, std::nullopt)}),
                                       make_route("down", on("GET", "/state"), {make_step(211, std::nullopt)})});
    st.routes[1].when_state = "up";
    st.routes[2].when_state = "down";
    st.seed = 3;
    sc::player p{one(std::move(st))};
    for (int i = 0; i < 4; ++i) {
        auto r = p.play(make_request("GET", "/r"));
        REQUIRE(r.alternative);
        CHECK(r.step == 0);
        if (*r.alternative == 1) CHECK(header_of(r, "Retry-After") == "3");
        CHECK(play_status(p, make_request("GET", "/state")) == (*r.alternative == 0 ? 210 : 211));
    }
    auto last = p.play(make_request("GET", "/r"));
    CHECK(status_of(last) == 204);
    CHECK(last.step == 1);
    CHECK_FALSE(last.alternative);
}

// ---------------------------------------------------------------- limit

namespace {

sc::route limited_route(std::uint64_t requests, std::chrono::milliseconds per, std::vector<sc::step> steps,
                        std::optional<sc::step> reject = std::nullopt) {
    auto r = make_route("quota", on("GET", "/q"), std::move(steps));
    sc::route_limit limit;
    limit.requests = requests;
    limit.per = per;
    limit.reject.status = 429;
    if (reject) limit.reject = *reject;
    r.limit = limit;
    return r;
}

using steady = std::chrono::steady_clock;

}  // namespace

TEST_CASE("limit: spent window rejects without consuming steps, reopens after per", "[player][limit]") {
    constexpr auto per = 300ms;
    sc::player p{one(make_scenario(
        "quota", {limited_route(3, per, {make_step(201), make_step(202), make_step(203), make_step(204)})}))};
    auto req = make_request("GET", "/q");
    auto opened = steady::now();
    CHECK(play_status(p, req) == 201);
    CHECK(play_status(p, req) == 202);
    CHECK(play_status(p, req) == 203);
    auto fourth = p.play(req);
    auto elapsed = steady::now() - opened;
    // Only meaningful while the window is still open (a very slow machine may have crossed it).
    if (elapsed < per) {
        CHECK(fourth.limited);
        CHECK(status_of(fourth) == 429);
        CHECK(fourth.route == "quota");
        CHECK(header_of(fourth, "Retry-After") == "1");
        CHECK(fourth.retry_after_s == 1u);
    }
    std::this_thread::sleep_for(per + 50ms);
    // A new window: the steps resume where they stopped, no step was used by the rejection.
    auto resumed = p.play(req);
    CHECK_FALSE(resumed.limited);
    CHECK(status_of(resumed) == 204);
}

TEST_CASE("limit: a 429 reject gets Retry-After with the whole seconds left, rounded up", "[player][limit]") {
    sc::player p{one(make_scenario("quota", {limited_route(1, 10s, {make_step(200, std::nullopt)})}))};
    auto req = make_request("GET", "/q");
    auto opened = steady::now();
    auto first = p.play(req);
    CHECK_FALSE(first.limited);
    CHECK(first.retry_after_s == 10u);  // the window just opened: 10 s left, rounded up
    auto rejected = p.play(req);
    REQUIRE(rejected.limited);
    REQUIRE(rejected.retry_after_s);
    CHECK(header_of(rejected, "Retry-After") == std::to_string(*rejected.retry_after_s));
    CHECK(header_count(rejected, "Retry-After") == 1);
    CHECK(*rejected.retry_after_s >= 1);
    CHECK(*rejected.retry_after_s <= 10);
    // Rounded up: whatever is left of the first second still counts as one.
    if (steady::now() - opened < 1s) CHECK(*rejected.retry_after_s == 10);
}

TEST_CASE("limit: a reject keeps its own Retry-After, other statuses get none", "[player][limit]") {
    auto own = make_step(429);
    own.headers.push_back({"retry-after", "120"});
    sc::player a{one(make_scenario("quota", {limited_route(1, 10s, {make_step(200, std::nullopt)}, own)}))};
    auto req = make_request("GET", "/q");
    a.play(req);
    auto r = a.play(req);
    CHECK(header_of(r, "Retry-After") == "120");
    CHECK(header_count(r, "Retry-After") == 1);

    auto unavailable = make_step(503);
    unavailable.body = "busy";
    unavailable.set_state = "throttled";
    sc::player b{one(make_scenario("quota", {limited_route(1, 10s, {make_step(200, std::nullopt)}, unavailable)}))};
    b.play(req);
    auto r2 = b.play(req);
    CHECK(status_of(r2) == 503);
    CHECK(r2.limited);
    CHECK(r2.plan->body == "busy");
    CHECK(r2.retry_after_s);  // exposed for templates all the same
}

TEST_CASE("limit: the reject's set_state applies", "[player][limit]") {
    auto reject = make_step(429);
    reject.set_state = "throttled";
    auto st = make_scenario("quota", {limited_route(1, 1h, {make_step(200, std::nullopt)}, reject),
                                      make_route("after", on("GET", "/state"), {make_step(299, std::nullopt)})});
    st.routes[1].when_state = "throttled";
    sc::player p{one(std::move(st))};
    CHECK_FALSE(p.play(make_request("GET", "/state")).plan);
    p.play(make_request("GET", "/q"));
    CHECK(play_status(p, make_request("GET", "/q")) == 429);
    CHECK(play_status(p, make_request("GET", "/state")) == 299);
}

TEST_CASE("limit: key header counts each value apart, within the session", "[player][limit]") {
    auto route = limited_route(1, 1h, {make_step(201), make_step(202), make_step(203, std::nullopt)});
    route.limit->key = sc::route_limit::key_kind::header;
    route.limit->header = "X-Api-Key";
    sc::player p{one(make_scenario("quota", {route}, isolate(sc::isolation::kind::header, "X-Test-Id")))};
    auto with = [](std::string_view session, std::string_view key) {
        return make_request("GET", "/q", {{"X-Test-Id", session}, {"X-Api-Key", key}});
    };
    CHECK(play_status(p, with("s", "a")) == 201);
    CHECK(play_status(p, with("s", "a")) == 429);
    // Another key has its own quota, and shares the session's cursor: the rejection used no step.
    CHECK(play_status(p, with("s", "b")) == 202);
    CHECK(play_status(p, with("s", "b")) == 429);
    // Another session: its own quotas and cursor.
    CHECK(play_status(p, with("t", "a")) == 201);
    CHECK(play_status(p, with("s", "c")) == 203);
}

TEST_CASE("limit: windows share one byte budget: a new key that does not fit gets a 503", "[player][limit]") {
    auto route = limited_route(1, 300ms, {make_step(200, std::nullopt)});
    route.limit->key = sc::route_limit::key_kind::header;
    route.limit->header = "X-Api-Key";
    sc::player_limits limits;
    // Room for two windows of one-byte keys.
    limits.quota = std::make_shared<sc::quota_budget>(2 * (sc::quota_window_overhead + 1));
    sc::player p{one(make_scenario("quota", {route}, isolate(sc::isolation::kind::header, "X-Test-Id"))), limits};
    auto with = [](std::string_view session, std::string_view key) {
        return make_request("GET", "/q", {{"X-Test-Id", session}, {"X-Api-Key", key}});
    };
    const auto opened = steady::now();
    CHECK(play_status(p, with("s", "a")) == 200);
    CHECK(play_status(p, with("t", "b")) == 200);  // the budget is across sessions
    CHECK(limits.quota->used() == limits.quota->max());
    // A third key: no window is given up for it, so the first two keep their quotas.
    auto refused = p.play(with("s", "c"));
    REQUIRE(refused.plan);
    CHECK(status_of(refused) == 503);
    CHECK(refused.route == "quota");
    CHECK_FALSE(refused.limited);
    CHECK(header_of(refused, "Retry-After") == "1");
    CHECK_THAT(std::string{refused.plan->body.view()}, Catch::Contains("--max-quota-bytes (322 bytes)"));
    if (steady::now() - opened < 300ms) CHECK(play_status(p, with("s", "a")) == 429);
    // Once the windows end, a sweep reclaims them: the new key is counted.
    std::this_thread::sleep_for(350ms);
    CHECK(play_status(p, with("s", "c")) == 200);
    CHECK(limits.quota->used() == sc::quota_window_overhead + 1);
}

TEST_CASE("limit: a long key is kept as a prefix and a digest, and the budget goes back with the player",
          "[player][limit]") {
    CHECK(sc::stored_quota_key("short") == "short");
    const std::string at_most(sc::max_stored_quota_key, 'k');
    CHECK(sc::stored_quota_key(at_most) == at_most);
    const std::string long_a = std::string(10'000, 'a') + "1", long_b = std::string(10'000, 'a') + "2";
    const auto a = sc::stored_quota_key(long_a), b = sc::stored_quota_key(long_b);
    CHECK(a.size() == 24 + 3 + 32);
    CHECK(a.starts_with(std::string(24, 'a') + "..."));
    CHECK(a != b);
    // A prefix is never cut inside a UTF-8 sequence: 23 'x' and a two-byte 'é' stop before the 'é'.
    CHECK(sc::stored_quota_key(std::string(23, 'x') + "\xc3\xa9" + std::string(100, 'y'))
              .starts_with(std::string(23, 'x') + "..."));

    auto route = limited_route(1, 1h, {make_step(200, std::nullopt)});
    route.limit->key = sc::route_limit::key_kind::header;
    route.limit->header = "X-Api-Key";
    sc::player_limits limits;
    limits.quota = std::make_shared<sc::quota_budget>();
    {
        sc::player p{one(make_scenario("quota", {route})), limits};
        CHECK(play_status(p, make_request("GET", "/q", {{"X-Api-Key", long_a}})) == 200);
        CHECK(play_status(p, make_request("GET", "/q", {{"X-Api-Key", long_a}})) == 429);
        CHECK(play_status(p, make_request("GET", "/q", {{"X-Api-Key", long_b}})) == 200);
        CHECK(limits.quota->used() == 2 * (sc::quota_window_overhead + a.size()));
        const auto progress = p.progress();
        REQUIRE(progress.at(0).at(0).routes.at(0).quota.size() == 2);
        CHECK(progress.at(0).at(0).routes.at(0).quota.at(0).key == b);
    }
    CHECK(limits.quota->used() == 0);
}

TEST_CASE("limit: counting is exact under 8 threads", "[player][limit]") {
    sc::player p{
        one(make_scenario("quota", {limited_route(100, 1h, {make_step(200, 60), make_step(201, std::nullopt)})}))};
    constexpr int threads = 8, calls = 50;
    std::mutex m;
    std::map<int, int> histogram;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            auto req = make_request("GET", "/q");
            std::map<int, int> mine;
            for (int i = 0; i < calls; ++i) ++mine[play_status(p, req)];
            std::lock_guard lock{m};
            for (auto [k, v] : mine) histogram[k] += v;
        });
    for (auto& t : pool) t.join();
    CHECK(histogram == std::map<int, int>{{200, 60}, {201, 40}, {429, 300}});
}

// ---------------------------------------------------------------- templates

namespace {

sc::compiled_template compiled(std::string_view text) {
    sc::template_error error;
    auto t = sc::compile_template(text, error);
    INFO(error.message);
    REQUIRE(t);
    return *t;
}

// A step with `template: true`, as the loader makes it: body and header values compiled.
sc::step templated_step(int status, std::string body, std::vector<teapot::detail::header_field> headers,
                        std::optional<std::uint64_t> times = 1) {
    auto s = text_step(status, std::move(body), times);
    s.templated = true;
    s.body_template = compiled(*s.body);
    s.headers = std::move(headers);
    for (const auto& h : s.headers) s.header_templates.push_back(compiled(h.value));
    return s;
}

std::string body_of(const sc::play_result& r) { return r.plan ? std::string{r.plan->body.view()} : std::string{}; }

const std::regex uuid_v4{"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"};

}  // namespace

TEST_CASE("template: every placeholder rendered from the request being served", "[player][template]") {
    auto first = templated_step(201,
                                "id={{request.path.id}} lang={{request.query.lang}} "
                                "agent={{request.header.user-agent}} name={{request.json.customer.name}} "
                                "qty={{request.json.items.0.qty}} session={{session}} "
                                "step={{step.index}}/{{step.count}} missing=[{{request.header.X-None}}] "
                                "quota={{limit.retry_after_s}}",
                                {{"X-Now", "{{now}}"}, {"X-Later", "{{ now +30s }}"}, {"X-Id", "{{uuid}}"}});
    auto second = templated_step(200, "again {{step.index}} of {{step.count}}", {}, std::nullopt);
    auto r = make_route("echo", on("POST", "/orders/{id}"), {first, second});
    sc::player p{one(make_scenario("tpl", {r}, isolate(sc::isolation::kind::header, "X-Test-Id")))};

    auto req = make_request("POST", "/orders/42?lang=en%20GB", {{"X-Test-Id", "t1"}, {"User-Agent", "curl/8"}},
                            R"({"customer":{"name":"Ada"},"items":[{"qty":2.5}]})");
    const std::time_t before = std::time(nullptr);
    auto served = p.play(req);
    const std::time_t after = std::time(nullptr);
    REQUIRE(status_of(served) == 201);
    CHECK(body_of(served) == "id=42 lang=en GB agent=curl/8 name=Ada qty=2.5 session=t1 step=1/2 missing=[] quota=");
    // The clock is read once per request: X-Now and X-Later are 30 s apart exactly.
    const auto now_text = header_of(served, "X-Now");
    CHECK(teapot::detail::is_imf_fixdate(now_text));
    bool now_in_range = false;
    for (std::time_t t = before; t <= after; ++t) {
        if (now_text == teapot::detail::format_http_date(t)) {
            now_in_range = true;
            CHECK(header_of(served, "X-Later") == teapot::detail::format_http_date(t + 30));
        }
    }
    CHECK(now_in_range);
    CHECK(std::regex_match(header_of(served, "X-Id"), uuid_v4));

    auto again = p.play(make_request("POST", "/orders/7", {{"X-Test-Id", "t1"}}));
    CHECK(body_of(again) == "again 2 of 2");
    // The global session renders {{session}} empty.
    auto global = p.play(make_request("POST", "/orders/9", {}, "not json"));
    CHECK(body_of(global) == "id=9 lang= agent= name= qty= session= step=1/2 missing=[] quota=");
}

TEST_CASE("template: a limit's reject renders the seconds left and the step waiting", "[player][template][limit]") {
    auto reject = templated_step(429, "retry in {{limit.retry_after_s}} s, then step {{step.index}}",
                                 {{"X-Retry", "{{limit.retry_after_s}}"}});
    auto ok = templated_step(200, "left {{limit.retry_after_s}}", {}, std::nullopt);
    sc::player p{one(make_scenario("quota", {limited_route(1, 10s, {ok}, reject)}))};
    auto req = make_request("GET", "/q");
    auto first = p.play(req);
    REQUIRE(first.retry_after_s);
    CHECK(body_of(first) == "left " + std::to_string(*first.retry_after_s));
    auto rejected = p.play(req);
    REQUIRE(rejected.limited);
    REQUIRE(rejected.retry_after_s);
    const auto seconds = std::to_string(*rejected.retry_after_s);
    CHECK(body_of(rejected) == "retry in " + seconds + " s, then step 1");
    CHECK(header_of(rejected, "X-Retry") == seconds);
    CHECK(header_of(rejected, "Retry-After") == seconds);  // still added: the reject has none of its own
}

TEST_CASE("template: uuids replay with the seed and the session key", "[player][template]") {
    auto make = [](std::optional<std::uint64_t> seed) {
        auto st = templated_step(200, "{{uuid}} {{uuid}}", {{"X-Id", "{{uuid}}"}}, std::nullopt);
        auto sc_ = make_scenario("ids", {make_route("r", on("GET", "/id"), {st})},
                                 isolate(sc::isolation::kind::header, "X-Test-Id"));
        sc_.seed = seed;
        return std::make_unique<sc::player>(one(std::move(sc_)));
    };
    auto draws = [](sc::player& p, std::string_view session) {
        std::vector<std::string> out;
        for (int i = 0; i < 3; ++i) {
            auto r = p.play(make_request("GET", "/id", {{"X-Test-Id", session}}));
            out.push_back(body_of(r) + " " + header_of(r, "X-Id"));
        }
        return out;
    };
    auto a = make(42);
    auto b = make(42);
    auto c = make(43);
    const auto first = draws(*a, "t1");
    CHECK(draws(*a, "t2") != first);  // another session: a stream of its own
    CHECK(draws(*b, "t1") == first);  // another player, same seed, same session: a replay
    CHECK(draws(*c, "t1") != first);  // another seed: other draws
    // Every {{uuid}} a draw of its own: 9 distinct version-4 UUIDs.
    std::vector<std::string> ids;
    for (const auto& line : first) {
        std::size_t start = 0;
        while (start < line.size()) {
            auto space = line.find(' ', start);
            if (space == std::string::npos) space = line.size();
            ids.push_back(line.substr(start, space - start));
            start = space + 1;
        }
    }
    REQUIRE(ids.size() == 9);
    for (const auto& id : ids) CHECK(std::regex_match(id, uuid_v4));
    std::sort(ids.begin(), ids.end());
    CHECK(std::unique(ids.begin(), ids.end()) == ids.end());
}

TEST_CASE("template: uuid draws share the stream with one_of, in claim order", "[player][template][one_of]") {
    // Concurrent claims: each request draws its bits under the lock, so 200 requests
    // get 200 distinct UUIDs, the very ones a sequential run gets.
    auto make = [] {
        auto st = templated_step(200, "{{uuid}}", {}, std::nullopt);
        auto sc_ = make_scenario("ids", {make_route("r", on("GET", "/id"), {st})});
        sc_.seed = 5;
        return std::make_unique<sc::player>(one(std::move(sc_)));
    };
    auto sequential = make();
    std::vector<std::string> expected;
    for (int i = 0; i < 200; ++i) expected.push_back(body_of(sequential->play(make_request("GET", "/id"))));
    auto parallel = make();
    std::mutex m;
    std::vector<std::string> got;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 25; ++i) {
                auto body = body_of(parallel->play(make_request("GET", "/id")));
                std::lock_guard lock{m};
                got.push_back(std::move(body));
            }
        });
    }
    for (auto& th : threads) th.join();
    std::sort(expected.begin(), expected.end());
    std::sort(got.begin(), got.end());
    CHECK(got == expected);
    CHECK(std::unique(got.begin(), got.end()) == got.end());
}

TEST_CASE("template: CR, LF and NUL from the request never reach a header", "[player][template]") {
    auto st = templated_step(200, "ok", {{"X-Echo", "v={{request.header.X-In}}"}, {"X-Q", "{{request.query.q}}"}},
                             std::nullopt);
    sc::player p{one(make_scenario("echo", {make_route("r", on("GET", "/e"), {st})}))};
    auto served = p.play(make_request("GET", "/e?q=a%0D%0ASet-Cookie:%20x=1%00", {{"X-In", "a\r\nX-Evil: 1"}}));
    CHECK(header_of(served, "X-Echo") == "v=aX-Evil: 1");
    CHECK(header_of(served, "X-Q") == "aSet-Cookie: x=1");
    CHECK(header_count(served, "X-Evil") == 0);
    CHECK(header_count(served, "Set-Cookie") == 0);
}

TEST_CASE("template: a step without template: true is sent as written", "[player][template]") {
    auto st = text_step(200, "{{session}} {{uuid}}", std::nullopt);
    st.headers.push_back({"X-Raw", "{{now}}"});
    sc::player p{one(make_scenario("raw", {make_route("r", on("GET", "/raw"), {st})}))};
    auto served = p.play(make_request("GET", "/raw"));
    CHECK(body_of(served) == "{{session}} {{uuid}}");
    CHECK(header_of(served, "X-Raw") == "{{now}}");
}

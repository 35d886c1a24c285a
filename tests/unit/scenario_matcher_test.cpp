// The matcher: which request a route's match criteria take, and how near a miss comes.
#include <catch2/catch.hpp>

#include "scenario_fixture.hpp"

using namespace std::chrono_literals;
using namespace teapot::test::scenario_fixture;

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

// The bundled examples of quotas, weighted draws and templating, played over real sockets
// exactly as their header comments document the curl calls.

#include "client.hpp"
#include "test_server.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <ctime>
#include <map>
#include <regex>
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

response post(std::uint16_t port, const std::string& target, const std::string& extra_headers,
              const std::string& body = {}) {
    connection c{port};
    std::string request = "POST ";
    request.append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n").append(extra_headers);
    request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n").append(body);
    c.send(request);
    return c.read_response();
}

// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") as seconds since the epoch; -1 when it is not one.
std::time_t parse_http_date(const std::string& text) {
    std::tm tm{};
    const char* end = ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (!end || *end != '\0') return -1;
    return ::timegm(&tm);
}

bool is_uuid_v4(const std::string& text) {
    static const std::regex v4{"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"};
    return std::regex_match(text, v4);
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
        // The body's {{limit.retry_after_s}} says the same as the header.
        std::string message = "try again in ";
        message.append(rejected.header("Retry-After")).append(" s");
        CHECK(boost::json::parse(rejected.body).at("message") == message.c_str());
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

TEST_CASE("weighted-flaky: the seeded sequences of the example, each session its own", "[scenario][examples]") {
    test_server s{bundled()};
    const std::map<std::string, std::vector<int>> sequences{{"t1", {200, 200, 200, 200, 200, 200, 200, 503}},
                                                            {"t2", {200, 200, 200, 200, 503, 200, 200, 200}}};
    for (const auto& [session, documented] : sequences) {
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
        // The journal records each draw: alternative 1 is the 200, 2 the 503 (1-based, as declared).
        auto journal = fetch(s.port(), "/__teapot/requests?session=" + session);
        const auto parsed = boost::json::parse(journal.body);
        const auto& entries = parsed.at("requests").as_array();
        REQUIRE(entries.size() == documented.size());
        for (std::size_t i = 0; i < documented.size(); ++i)
            CHECK(entries[i].at("alternative") == (documented[i] == 200 ? 1 : 2));
    }
}

TEST_CASE("weighted-flaky: the file's seed wins over the server's --seed", "[scenario][examples]") {
    auto o = bundled();
    o.seed = 12345;
    test_server s{o};
    std::vector<int> got;
    for (int i = 0; i < 8; ++i) got.push_back(get(s.port(), "/api/inventory", "t1").status);
    CHECK(got == std::vector<int>{200, 200, 200, 200, 200, 200, 200, 503});  // t1's, as documented
}

TEST_CASE("templated-echo: every placeholder rendered from the request, as the comment documents",
          "[scenario][examples][template]") {
    test_server s{bundled()};
    const std::string order = R"({"customer":{"name":"Ada"},"items":[{"sku":"tea-1","qty":2}]})";
    const std::time_t before = std::time(nullptr);
    auto first = post(s.port(), "/api/echo/orders/42?lang=en",
                      "X-Test-Id: t1\r\nX-Request-Id: req-7\r\nContent-Type: application/json\r\n", order);
    REQUIRE(first.status == 201);
    CHECK(first.header("Content-Type") == "application/json");
    CHECK(first.header("Location") == "/api/echo/orders/42");
    CHECK(first.header("X-Request-Id") == "req-7");
    // Seeded: the values the file documents for session t1, after every restart.
    CHECK(first.header("X-Trace-Id") == "8bfe7d7b-d1f5-45cf-b4fe-190949374c0c");
    auto body = boost::json::parse(first.body).as_object();
    CHECK(body.at("id") == "42");
    CHECK(body.at("kind") == "orders");
    CHECK(body.at("lang") == "en");
    CHECK(body.at("customer") == "Ada");
    CHECK(body.at("first_sku") == "tea-1");
    CHECK(body.at("first_qty") == "2");
    CHECK(body.at("session") == "t1");
    CHECK(body.at("step") == "1 of 2");
    CHECK(body.at("order_uuid") == "e38c2188-c6c6-4ee1-ac84-2885a769fc79");
    CHECK(is_uuid_v4(std::string{body.at("order_uuid").as_string()}));
    CHECK(is_uuid_v4(first.header("X-Trace-Id")));
    // {{now}} is the time of the request (no earlier than before it), {{now +30s}} 30 s later.
    const std::time_t generated = parse_http_date(std::string{body.at("generated_at").as_string()});
    CHECK(generated >= before);
    CHECK(parse_http_date(first.header("Expires")) == generated + 30);

    auto again = post(s.port(), "/api/echo/orders/42", "X-Test-Id: t1\r\n");
    CHECK(again.status == 200);
    CHECK(again.header("X-Step") == "2/2");
    CHECK(again.body == "order 42 seen again (step 2 of 2, session t1)");
    auto repeated = post(s.port(), "/api/echo/orders/7", "X-Test-Id: t1\r\n");
    CHECK(repeated.body == "order 7 seen again (step 2 of 2, session t1)");

    // Another session starts at step 1 and draws UUIDs of its own; what it does not send renders empty.
    auto other = post(s.port(), "/api/echo/invoices/43", "X-Test-Id: t2\r\n");
    REQUIRE(other.status == 201);
    CHECK(other.header("Location") == "/api/echo/invoices/43");
    CHECK(other.has("X-Request-Id"));
    CHECK(other.header("X-Request-Id").empty());
    CHECK(other.header("X-Trace-Id") == "126e53a5-64df-494e-b316-a0cafb7d37bb");
    auto other_body = boost::json::parse(other.body).as_object();
    CHECK(other_body.at("session") == "t2");
    CHECK(other_body.at("step") == "1 of 2");
    CHECK(other_body.at("lang") == "");
    CHECK(other_body.at("customer") == "");
    CHECK(other_body.at("order_uuid") == "f595fee7-7699-4679-8125-02e0364c6b7e");
}

// One example per templating feature: each file's header comment, played.

TEST_CASE("template-path-capture: the captured segment, percent-decoded", "[scenario][examples][template]") {
    test_server s{bundled()};
    auto r = fetch(s.port(), "/api/users/42");
    CHECK(r.status == 200);
    CHECK(r.body == R"({"id":"42","profile":"/api/users/42/profile"})"
                    "\n");
    CHECK(fetch(s.port(), "/api/users/ada%20l").body == R"({"id":"ada l","profile":"/api/users/ada l/profile"})"
                                                        "\n");
}

TEST_CASE("template-query: parameters rendered, an absent one empty", "[scenario][examples][template]") {
    test_server s{bundled()};
    CHECK(fetch(s.port(), "/api/search?q=green%20tea&page=2").body ==
          R"({"query":"green tea","page":"2","next":"/api/search?q=green tea&page=2&after=2"})"
          "\n");
    CHECK(fetch(s.port(), "/api/search?q=oolong").body ==
          R"({"query":"oolong","page":"","next":"/api/search?q=oolong&page=&after="})"
          "\n");
}

TEST_CASE("template-header: the correlation id echoed, an absent header empty", "[scenario][examples][template]") {
    test_server s{bundled()};
    auto r = fetch(s.port(), "/api/correlated", "X-Request-Id: req-7\r\nUser-Agent: curl/7.88.1\r\n");
    CHECK(r.status == 200);
    CHECK(r.header("X-Request-Id") == "req-7");
    CHECK(r.body == "request req-7 from curl/7.88.1");
    auto bare = fetch(s.port(), "/api/correlated");
    CHECK(bare.has("X-Request-Id"));
    CHECK(bare.header("X-Request-Id").empty());
    CHECK(bare.body == "request  from ");
}

TEST_CASE("template-json-body: a receipt for the amount and currency sent", "[scenario][examples][template]") {
    test_server s{bundled()};
    auto r = post(s.port(), "/api/payments", "Content-Type: application/json\r\n",
                  R"({"amount":12.5,"currency":"EUR","card":{"last4":"4242"}})");
    CHECK(r.status == 201);
    CHECK(r.header("Location") == "/api/payments/EUR-12.5");
    CHECK(r.body == R"({"status":"captured","amount":"12.5","currency":"EUR","card":"**** 4242"})"
                    "\n");
    auto other = post(s.port(), "/api/payments", "Content-Type: application/json\r\n", R"({"currency":"USD"})");
    CHECK(other.status == 404);
    CHECK_THAT(other.body, Catch::Contains("route capture-payment of template-json-body"));
}

TEST_CASE("template-session: each test's own id, step by step", "[scenario][examples][template]") {
    test_server s{bundled()};
    CHECK(get(s.port(), "/api/whoami", "checkout-test-3").body == "session checkout-test-3, call 1");
    CHECK(get(s.port(), "/api/whoami", "checkout-test-4").body == "session checkout-test-4, call 1");
    CHECK(get(s.port(), "/api/whoami", "checkout-test-3").body == "session checkout-test-3, call 2 and later");
    CHECK(fetch(s.port(), "/api/whoami").body == "session , call 1");  // the global session
}

TEST_CASE("template-step: each attempt says which it is", "[scenario][examples][template]") {
    test_server s{bundled()};
    std::vector<std::string> attempts;
    for (int i = 0; i < 4; ++i) {
        auto r = get(s.port(), "/api/unstable", "t1");
        attempts.push_back(std::to_string(r.status) + " " + r.header("X-Attempt") + " " + r.body);
        CHECK(r.count("Retry-After") == (r.status == 503 ? 1u : 0u));
    }
    CHECK(attempts == std::vector<std::string>{"503 1/3 attempt 1 of 3 fails", "503 2/3 attempt 2 of 3 fails",
                                               "200 3/3 attempt 3 of 3 succeeds", "200 3/3 attempt 3 of 3 succeeds"});
}

TEST_CASE("template-now: validators and expiry move with the clock", "[scenario][examples][template]") {
    test_server s{bundled()};
    const std::time_t before = std::time(nullptr);
    auto r = fetch(s.port(), "/api/cached-report");
    const std::time_t after = std::time(nullptr);
    REQUIRE(r.status == 200);
    CHECK(r.header("Cache-Control") == "public, max-age=3600");
    auto body = boost::json::parse(r.body).as_object();
    const std::time_t generated = parse_http_date(std::string{body.at("generated_at").as_string()});
    CHECK(generated >= before);
    CHECK(generated <= after);
    // One clock reading per request: every offset is from the same instant.
    CHECK(parse_http_date(std::string{body.at("valid_until").as_string()}) == generated + 3600);
    CHECK(parse_http_date(r.header("Expires")) == generated + 3600);
    CHECK(parse_http_date(r.header("Last-Modified")) == generated - 60);
}

TEST_CASE("template-uuid: the documented ids, each session its own", "[scenario][examples][template]") {
    test_server s{bundled()};
    auto ids = [&](const std::string& session) {
        auto r = post(s.port(), "/api/exports", "X-Test-Id: " + session + "\r\n");
        CHECK(r.status == 202);
        CHECK(is_uuid_v4(r.header("X-Trace-Id")));
        return r.header("X-Trace-Id") + " " + std::string{boost::json::parse(r.body).at("export_id").as_string()};
    };
    // X-Trace-Id, then export_id, as the file documents them (and a restart replays them).
    CHECK(ids("t1") == "6974ff00-7708-4578-893e-ce0120b3decd 9e10cae1-7f71-4c46-a161-b3d709d878ed");
    CHECK(ids("t1") == "00019f15-0dac-4b7f-8a38-2d1395abf657 794b7327-d4c8-4c2f-ba3f-48f190bf0591");
    CHECK(ids("t2") == "7b3d394e-bb89-4f59-acd9-c099fd20353c 37ac230b-59f6-4d9a-a388-3525bd62be2a");
}

TEST_CASE("flaky-connection: reset, then a truncated body, then a slow but complete success",
          "[scenario][examples][faults]") {
    test_server s{bundled()};
    const std::string request = "GET /api/report HTTP/1.1\r\nHost: t\r\nX-Test-Id: t1\r\n\r\n";
    const std::string report = R"({"report":"quarterly","rows":3,"status":"complete","pages":[1,2,3]})"
                               "\n";
    {
        connection c{s.port()};
        c.send(request);
        auto got = c.read_to_end(std::chrono::seconds{5});
        CHECK(got.bytes.empty());
        CHECK(got.how == connection::ending::reset);
    }
    {
        connection c{s.port()};
        c.send(request);
        auto got = c.read_to_end(std::chrono::seconds{5});
        auto end = got.bytes.find("\r\n\r\n");
        REQUIRE(end != std::string::npos);
        CHECK(got.bytes.find("Content-Length: " + std::to_string(report.size()) + "\r\n") < end);
        CHECK(got.bytes.substr(end + 4) == report.substr(0, 20));
        CHECK(got.how == connection::ending::fin);
    }
    for (int i = 0; i < 2; ++i) {
        auto started = std::chrono::steady_clock::now();
        auto r = get(s.port(), "/api/report", "t1");
        CHECK(r.status == 200);
        CHECK(r.body == report);
        // 300 ms to the first byte, then 68 bytes in pieces of 16, 50 ms apart.
        CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds{300 + 4 * 50});
    }
}

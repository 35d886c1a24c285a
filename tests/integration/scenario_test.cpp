// Scenarios over real sockets: the bundled examples played as documented,
// isolation between sessions, exact step counts under concurrency, and a
// server that refuses to start on a broken file.

#include "client.hpp"
#include "test_server.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

using namespace teapot::test;
namespace fs = std::filesystem;

namespace {

teapot::server_options with_scenarios(std::vector<std::string> paths) {
    auto o = test_options();
    o.scenario_paths = std::move(paths);
    return o;
}

// A scratch folder holding one scenario file, removed afterwards.
struct scenario_file {
    fs::path dir;
    fs::path path;
    explicit scenario_file(const std::string& yaml, const std::string& name = "test.yaml") {
        dir = fs::temp_directory_path() /
              ("teapot-scenario-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
        fs::create_directories(dir);
        path = dir / name;
        std::ofstream{path} << yaml;
    }
    ~scenario_file() { fs::remove_all(dir); }
    static std::atomic<int>& counter() {
        static std::atomic<int> n{0};
        return n;
    }
};

response get(std::uint16_t port, const std::string& target, const std::string& test_id,
             const std::string& method = "GET") {
    return fetch(port, target, "X-Test-Id: " + test_id + "\r\n", method);
}

}  // namespace

TEST_CASE("flaky-upstream: two 503s with Retry-After, then 200 for good", "[scenario]") {
    test_server s{with_scenarios({TEAPOT_SCENARIOS_DIR})};
    for (int i = 0; i < 2; ++i) {
        auto r = get(s.port(), "/api/orders", "t1");
        CHECK(r.status == 503);
        CHECK(r.reason == "Service Unavailable");
        CHECK(r.header("Retry-After") == "1");
        CHECK(r.header("Content-Type") == "application/json");
        CHECK(boost::json::parse(r.body).at("error") == "upstream unavailable");
    }
    for (int i = 0; i < 3; ++i) {
        auto r = get(s.port(), "/api/orders", "t1");
        CHECK(r.status == 200);
        CHECK(boost::json::parse(r.body).at("orders").as_array().size() == 1);
    }
}

TEST_CASE("sessions isolate sequences: two tests run the same scenario at once", "[scenario]") {
    test_server s{with_scenarios({TEAPOT_SCENARIOS_DIR})};
    CHECK(get(s.port(), "/api/orders", "a").status == 503);
    CHECK(get(s.port(), "/api/orders", "b").status == 503);
    CHECK(get(s.port(), "/api/orders", "a").status == 503);
    CHECK(get(s.port(), "/api/orders", "a").status == 200);
    CHECK(get(s.port(), "/api/orders", "b").status == 503);
    CHECK(get(s.port(), "/api/orders", "b").status == 200);
    // Without the header: the global session, with its own cursor.
    CHECK(fetch(s.port(), "/api/orders").status == 503);
}

namespace {

// Two steps, then the second for good: a session's second request tells whether it starts afresh.
const char* two_steps = R"(name: remembered
isolate_by: header X-Test-Id
routes:
  - id: r
    match: { path: /remembered }
    steps: [{ status: 201 }, { status: 202, times: forever }]
)";

}  // namespace

TEST_CASE("max_sessions: one session more forgets the least recently used", "[scenario]") {
    scenario_file file{two_steps};
    auto o = with_scenarios({file.path.string()});
    o.max_sessions = 2;
    test_server s{o};
    CHECK(get(s.port(), "/remembered", "a").status == 201);
    CHECK(get(s.port(), "/remembered", "b").status == 201);
    CHECK(get(s.port(), "/remembered", "a").status == 202);  // a is remembered, and now the most recent
    CHECK(get(s.port(), "/remembered", "c").status == 201);  // a third session: b, the least recent, goes
    CHECK(get(s.port(), "/remembered", "a").status == 202);
    CHECK(get(s.port(), "/remembered", "b").status == 201);  // forgotten: afresh (and c goes)
    CHECK(get(s.port(), "/remembered", "a").status == 202);
    CHECK(get(s.port(), "/remembered", "c").status == 201);
}

TEST_CASE("session_ttl: a session idle longer starts afresh", "[scenario]") {
    scenario_file file{two_steps};
    auto o = with_scenarios({file.path.string()});
    o.session_ttl = std::chrono::milliseconds{200};
    test_server s{o};
    auto started = std::chrono::steady_clock::now();
    CHECK(get(s.port(), "/remembered", "a").status == 201);
    auto second = get(s.port(), "/remembered", "a").status;
    // Remembered while not idle for the TTL: checked only when this machine was quick
    // enough to tell (no upper bound on timing is asserted).
    if (std::chrono::steady_clock::now() - started < o.session_ttl) CHECK(second == 202);
    CHECK(get(s.port(), "/remembered", "b").status == 201);
    // After 300 ms of silence, with a TTL of 200 ms, both are forgotten (with the
    // default 10 minutes they would answer 202).
    std::this_thread::sleep_for(std::chrono::milliseconds{300});
    CHECK(get(s.port(), "/remembered", "a").status == 201);
    CHECK(get(s.port(), "/remembered", "b").status == 201);
    // The global session never expires.
    CHECK(fetch(s.port(), "/remembered").status == 201);
    std::this_thread::sleep_for(std::chrono::milliseconds{300});
    CHECK(fetch(s.port(), "/remembered").status == 202);
}

TEST_CASE("polling-job: named states drive which route answers", "[scenario]") {
    test_server s{with_scenarios({TEAPOT_SCENARIOS_DIR})};
    auto before = get(s.port(), "/jobs/42", "j1");
    CHECK(before.status == 404);  // no state yet: no poll route matches
    CHECK_THAT(before.body, Catch::Contains("poll-running"));

    auto submitted = get(s.port(), "/jobs", "j1", "POST");
    CHECK(submitted.status == 202);
    CHECK(submitted.header("Location") == "/jobs/42");
    CHECK(get(s.port(), "/jobs/42", "j1").status == 202);
    CHECK(get(s.port(), "/jobs/42", "j1").status == 202);
    for (int i = 0; i < 2; ++i) {
        auto done = get(s.port(), "/jobs/42", "j1");
        CHECK(done.status == 200);
        CHECK(boost::json::parse(done.body).at("state") == "done");
    }
}

TEST_CASE("built-in endpoints still answer beside scenarios, a miss names the nearest route", "[scenario]") {
    // One scenario: with every bundled one, each route fails DELETE on its method, and the
    // tie goes to the first in matching order (flaky-connection's), not to list-orders.
    test_server s{with_scenarios({std::string{TEAPOT_SCENARIOS_DIR} + "/flaky-upstream.yaml"})};
    CHECK(fetch(s.port(), "/status/418").status == 418);
    auto miss = fetch(s.port(), "/api/orders", {}, "DELETE");
    CHECK(miss.status == 404);
    CHECK(miss.header("Content-Type") == "application/problem+json");
    auto body = boost::json::parse(miss.body);
    CHECK_THAT(std::string{body.at("nearest_route").as_string()},
               Catch::Contains("list-orders") && Catch::Contains("DELETE"));
}

TEST_CASE("then: loop starts over at step 1, pass falls through, fail answers 500", "[scenario]") {
    scenario_file file{R"(name: endings
isolate_by: header X-Test-Id
routes:
  - id: looping
    match: { path: /loop }
    steps:
      - { status: 201 }
      - { status: 202, times: 2 }
    then: loop
  - id: passing
    match: { path: /status/418 }
    steps:
      - { status: 200, body: first }
    then: pass
  - id: next-in-line
    match: { path: /status/418 }
    steps:
      - { status: 203, body: second }
    then: pass
  - id: failing
    match: { path: /fail }
    steps:
      - { status: 200, body: once }
    then: fail
)"};
    test_server s{with_scenarios({file.path.string()})};

    SECTION("loop: every lap replays the steps from the first, times included") {
        std::vector<int> seen;
        for (int i = 0; i < 7; ++i) seen.push_back(get(s.port(), "/loop", "l").status);
        CHECK(seen == std::vector<int>{201, 202, 202, 201, 202, 202, 201});
        CHECK(get(s.port(), "/loop", "other").status == 201);  // a session of its own
    }
    SECTION("pass: the used-up route stops matching, the next route answers, then the built-in endpoint") {
        auto first = get(s.port(), "/status/418", "p");
        CHECK(first.status == 200);
        CHECK(first.body == "first");
        auto second = get(s.port(), "/status/418", "p");
        CHECK(second.status == 203);
        CHECK(second.body == "second");
        for (int i = 0; i < 2; ++i) {
            auto builtin = get(s.port(), "/status/418", "p");
            CHECK(builtin.status == 418);
            CHECK(builtin.reason == "I'm a teapot");
        }
        CHECK(get(s.port(), "/status/418", "other").body == "first");  // only that session passed
    }
    SECTION("fail: once used up, every request gets a 500 that names the route") {
        auto once = get(s.port(), "/fail", "f");
        CHECK(once.status == 200);
        CHECK(once.body == "once");
        for (int i = 0; i < 2; ++i) {
            auto r = get(s.port(), "/fail", "f");
            CHECK(r.status == 500);
            CHECK(r.header("X-Teapot-Exhausted") == "endings/failing");
            CHECK(r.header("Content-Type") == "text/plain; charset=utf-8");
            CHECK(r.body == "route failing of scenario endings: its sequence of 1 step(s) is exhausted (then: fail)\n");
        }
        CHECK(get(s.port(), "/fail", "other").status == 200);
    }
}

TEST_CASE("limit with key: header NAME: each value has its own window", "[scenario]") {
    scenario_file file{R"(name: keyed
routes:
  - id: api
    match: { path: /api }
    limit: { requests: 2, per: 1h, key: header X-Api-Key }
    steps:
      - { status: 200, times: forever }
)"};
    test_server s{with_scenarios({file.path.string()})};
    auto with_key = [&](const std::string& key) { return fetch(s.port(), "/api", "X-Api-Key: " + key + "\r\n"); };
    CHECK(with_key("k1").status == 200);
    CHECK(with_key("k1").status == 200);
    auto rejected = with_key("k1");
    CHECK(rejected.status == 429);
    const auto retry = std::stoul(rejected.header("Retry-After"));
    CHECK(retry >= 1);
    CHECK(retry <= 3600);  // the window's length: it opened at k1's first request
    // Another value: a window of its own, untouched by k1's.
    CHECK(with_key("k2").status == 200);
    CHECK(with_key("k2").status == 200);
    CHECK(with_key("k2").status == 429);
    CHECK(with_key("k1").status == 429);  // still spent
    // Requests without the header share one window, apart from every value's.
    CHECK(fetch(s.port(), "/api").status == 200);
    CHECK(fetch(s.port(), "/api").status == 200);
    CHECK(fetch(s.port(), "/api").status == 429);
}

TEST_CASE("isolate_by: query NAME keys sessions by a query parameter", "[scenario]") {
    scenario_file file{R"(name: by-query
isolate_by: query run
routes:
  - id: q
    match: { path: /by-query }
    steps: [{ status: 201 }, { status: 202 }]
)"};
    test_server s{with_scenarios({file.path.string()})};
    CHECK(fetch(s.port(), "/by-query?run=a").status == 201);
    CHECK(fetch(s.port(), "/by-query?run=b").status == 201);
    CHECK(fetch(s.port(), "/by-query?page=2&run=a").status == 202);  // same session, wherever the parameter is
    CHECK(fetch(s.port(), "/by-query?run=%61").status == 202);       // percent-decoded: still "a"
    // Without the parameter, or with it empty: the global session.
    CHECK(fetch(s.port(), "/by-query").status == 201);
    CHECK(fetch(s.port(), "/by-query?run=").status == 202);
    CHECK(fetch(s.port(), "/by-query?run=b").status == 202);
}

TEST_CASE("isolate_by: cookie NAME keys sessions by a cookie", "[scenario]") {
    scenario_file file{R"(name: by-cookie
isolate_by: cookie sid
routes:
  - id: c
    match: { path: /by-cookie }
    steps: [{ status: 201 }, { status: 202 }]
)"};
    test_server s{with_scenarios({file.path.string()})};
    auto with_cookie = [&](const std::string& cookie) {
        return fetch(s.port(), "/by-cookie", "Cookie: " + cookie + "\r\n").status;
    };
    CHECK(with_cookie("sid=a") == 201);
    CHECK(with_cookie("theme=dark; sid=b") == 201);
    CHECK(with_cookie("sid=\"a\"; theme=dark") == 202);  // RFC 6265: a quoted value is the same value
    CHECK(with_cookie("sid=b") == 202);
    // Another cookie only, or no Cookie at all: the global session.
    CHECK(with_cookie("session=a") == 201);
    CHECK(fetch(s.port(), "/by-cookie").status == 202);
}

TEST_CASE("N concurrent requests consume exactly N step slots", "[scenario][stress]") {
    scenario_file file{R"(name: stress
routes:
  - id: counted
    match: { path: /counted }
    steps:
      - { status: 503, times: 150 }
      - { status: 429, times: 150 }
      - { status: 200, times: forever }
)"};
    test_server s{with_scenarios({file.path.string()})};
    constexpr int threads = 8, per_thread = 50;  // 400 requests over 8 keep-alive connections
    std::mutex m;
    std::map<int, int> histogram;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back([&] {
            connection c{s.port()};
            for (int i = 0; i < per_thread; ++i) {
                c.send("GET /counted HTTP/1.1\r\nHost: t\r\n\r\n");
                auto r = c.read_response();
                std::lock_guard lock{m};
                ++histogram[r.status];
            }
        });
    for (auto& t : pool) t.join();
    CHECK(histogram == std::map<int, int>{{503, 150}, {429, 150}, {200, 100}});
}

TEST_CASE("sessions stay isolated under concurrency: each gets its exact histogram", "[scenario][stress]") {
    scenario_file file{R"(name: isolated
isolate_by: header X-Test-Id
routes:
  - id: counted
    match: { path: /counted }
    steps:
      - { status: 503, times: 60 }
      - { status: 429, times: 40 }
      - { status: 200, times: forever }
)"};
    auto o = with_scenarios({file.path.string()});
    o.threads = 4;  // more I/O threads than cores: claims of every session really interleave
    test_server s{o};
    const std::vector<std::string> sessions{"a", "b", "c"};
    // Each keep-alive connection cycles through the sessions, so every session is
    // requested from every connection at once: 120 requests per session.
    constexpr int connections = 6, per_connection = 60;
    std::mutex m;
    std::map<std::string, std::map<int, int>> histograms;
    std::vector<std::thread> pool;
    for (int t = 0; t < connections; ++t)
        pool.emplace_back([&, t] {
            connection c{s.port()};
            for (int i = 0; i < per_connection; ++i) {
                const auto& id = sessions[static_cast<std::size_t>(t + i) % sessions.size()];
                c.send("GET /counted HTTP/1.1\r\nHost: t\r\nX-Test-Id: " + id + "\r\n\r\n");
                auto r = c.read_response();
                std::lock_guard lock{m};
                ++histograms[id][r.status];
            }
        });
    for (auto& t : pool) t.join();
    for (const auto& id : sessions) {
        INFO("session " << id);
        CHECK(histograms[id] == std::map<int, int>{{503, 60}, {429, 40}, {200, 20}});
    }
    // The global session was never touched: it starts at step 1.
    CHECK(fetch(s.port(), "/counted").status == 503);
}

TEST_CASE("matching over sockets: ~regex paths, method lists, query and header tests, bodies, priority", "[scenario]") {
    scenario_file file{R"(name: matching
routes:
  - id: regex-path
    match: { path: "~^/v[0-9]+/items$" }
    steps: [{ status: 200, body: regex, times: forever }]
  - id: methods
    match: { method: [PUT, PATCH], path: /thing }
    steps: [{ status: 204, times: forever }]
  - id: query
    match: { path: /search, query: { q: "~^te", page: "2", debug: "!", token: "*" } }
    steps: [{ status: 200, body: query, times: forever }]
  - id: headers
    match: { path: /h, headers: { Accept: "~json", X-Env: staging } }
    steps: [{ status: 200, body: headers, times: forever }]
  - id: contains
    match: { method: POST, path: /body, body: { contains: sku } }
    steps: [{ status: 201, body: contains, times: forever }]
  - id: equals
    match: { method: POST, path: /exact, body: { equals: ping } }
    steps: [{ status: 200, body: pong, times: forever }]
  - { id: low, match: { path: /prio }, steps: [{ status: 200, body: low, times: forever }] }
  - { id: high, priority: 5, match: { path: /prio }, steps: [{ status: 200, body: high, times: forever }] }
)"};
    test_server s{with_scenarios({file.path.string()})};
    const auto port = s.port();
    struct probe {
        std::string method, target, headers, body;
        int status;
        std::string answer;  ///< the route's body; empty for a miss (404) or no content
    };
    const std::vector<probe> probes{
        {"GET", "/v12/items", "", "", 200, "regex"},
        {"GET", "/v1x/items", "", "", 404, ""},
        {"PUT", "/thing", "", "", 204, ""},
        {"PATCH", "/thing", "", "", 204, ""},
        {"GET", "/thing", "", "", 404, ""},
        {"GET", "/search?q=tea&page=2&token=", "", "", 200, "query"},
        {"GET", "/search?q=tea&page=2&token=x&debug=1", "", "", 404, ""},  // debug must be absent
        {"GET", "/search?q=tea&page=2", "", "", 404, ""},                  // token must be present
        {"GET", "/search?q=cafe&page=2&token=x", "", "", 404, ""},         // q must match ^te
        {"GET", "/search?q=tea&page=3&token=x", "", "", 404, ""},          // page is exact
        {"GET", "/h", "Accept: application/json\r\nX-Env: staging\r\n", "", 200, "headers"},
        {"GET", "/h", "Accept: application/json\r\nX-Env: prod\r\n", "", 404, ""},
        {"GET", "/h", "Accept: text/html\r\nX-Env: staging\r\n", "", 404, ""},
        {"POST", "/body", "", R"({"sku": 7})", 201, "contains"},
        {"POST", "/body", "", "nothing here", 404, ""},
        {"POST", "/exact", "", "ping", 200, "pong"},
        {"POST", "/exact", "", "ping!", 404, ""},
        {"GET", "/prio", "", "", 200, "high"},
    };
    for (const auto& p : probes) {
        INFO(p.method << " " << p.target << " " << p.headers << p.body);
        auto r = p.method == "POST" ? send_body(port, p.method, p.target, p.body, p.headers)
                                    : fetch(port, p.target, p.headers, p.method);
        CHECK(r.status == p.status);
        if (!p.answer.empty()) CHECK(r.body == p.answer);
    }
}

TEST_CASE("a step's status brings the catalogue's answer, and interim, reason and 444 on the wire", "[scenario]") {
    scenario_file file{R"(name: defaults
routes:
  - { id: limited, match: { path: /limited }, steps: [{ status: 429, times: forever }] }
  - { id: gone, match: { path: /gone }, steps: [{ status: 444, times: forever }] }
  - id: hinted
    match: { path: /hinted }
    steps: [{ status: 200, reason: Fine Thanks, interim: [103], body: ok, times: forever }]
)"};
    test_server s{with_scenarios({file.path.string()})};
    // The same as /status/429 but for the date: Retry-After, the body, every field.
    auto step = fetch(s.port(), "/limited");
    auto builtin = fetch(s.port(), "/status/429");
    CHECK(step.status == 429);
    CHECK(step.reason == builtin.reason);
    CHECK(step.body == builtin.body);
    CHECK(step.header("Retry-After") == builtin.header("Retry-After"));
    auto without_date = [](std::vector<std::pair<std::string, std::string>> fields) {
        std::erase_if(fields, [](const auto& f) { return f.first == "Date"; });
        return fields;
    };
    CHECK(without_date(step.headers) == without_date(builtin.headers));

    INFO("444: the connection closes without a byte");
    {
        connection c{s.port()};
        c.send("GET /gone HTTP/1.1\r\nHost: t\r\n\r\n");
        CHECK(c.closed_without_data());
    }
    INFO("interim 103, then the final answer with its own reason phrase");
    {
        connection c{s.port()};
        c.send("GET /hinted HTTP/1.1\r\nHost: t\r\n\r\n");
        auto early = c.read_response();
        CHECK(early.status == 103);
        auto final_answer = c.read_response();
        CHECK(final_answer.status == 200);
        CHECK(final_answer.reason == "Fine Thanks");
        CHECK(final_answer.body == "ok");
    }
    INFO("an HTTP/1.0 client gets no 1xx");
    {
        connection c{s.port()};
        c.send("GET /hinted HTTP/1.0\r\n\r\n");
        auto only = c.read_response();
        CHECK(only.status == 200);
        CHECK(only.reason == "Fine Thanks");
    }
}

TEST_CASE("a broken scenario file stops start() with file, line and column", "[scenario]") {
    scenario_file file{"name: broken\nroutes:\n  - id: r\n    steps:\n      - stauts: 200\n", "broken.yaml"};
    teapot::server srv{with_scenarios({file.path.string()})};
    // The same exception as load_scenario: a test can list every error.
    try {
        srv.start();
        FAIL("start() did not throw");
    } catch (const teapot::scenario_error& e) {
        REQUIRE(e.errors().size() == 1);
        CHECK_THAT(e.errors().front(), Catch::Contains("broken.yaml:5:9") && Catch::Contains("stauts"));
    }
    CHECK(srv.port() == 0);  // nothing was bound
}

TEST_CASE("a templated json: body stays JSON whatever the request puts in it (issue 14)", "[scenario][template]") {
    test_server s;
    s.srv.load_scenario(R"(name: receipt
routes:
  - id: receipt
    match: { method: POST, path: "/orders/{id}" }
    steps:
      - template: true
        json: { city: "{{request.json.buyer.address.city}}", id: "{{request.path.id}}",
                note: "{{request.header.X-Note}}", q: "{{request.query.q}}" }
)");
    const std::string city = "Saint \"Quote\" \\ Town \u00e9\n";
    boost::json::object buyer{{"buyer", {{"address", {{"city", city}}}}}};
    auto r = send_body(s.port(), "POST", "/orders/a%22b%5Cc?q=%0A%22", boost::json::serialize(buyer),
                       "Content-Type: application/json\r\nX-Note: say \"hi\" \\o/ caf\xe9\r\n");
    REQUIRE(r.status == 200);
    INFO(r.body);
    boost::json::error_code ec;
    auto parsed = boost::json::parse(r.body, ec);
    REQUIRE_FALSE(ec);
    CHECK(parsed.at("city").as_string() == city);
    CHECK(parsed.at("id").as_string() == "a\"b\\c");
    CHECK(parsed.at("note").as_string() == "say \"hi\" \\o/ caf\xef\xbf\xbd");  // latin-1 é: not UTF-8
    CHECK(parsed.at("q").as_string() == "\n\"");
}

TEST_CASE("random draws: 20 sessions draw 20 delays, and a session key draws the same in the next run",
          "[scenario][random]") {
    // Issue 14: every session once waited the same time, its stream seeded alike.
    const std::string yaml = R"(
name: jitter
isolate_by: header X-Test-Id
seed: 11
routes:
  - id: slow
    match: { path: /jitter }
    steps: [{ status: 200, times: forever, delay: { uniform: [100ms, 900ms] } }]
)";
    constexpr int sessions = 20;
    auto run = [&] {
        test_server s;
        s.srv.load_scenario(yaml);
        // All at once, one connection each, as 20 concurrent tests would.
        std::vector<std::unique_ptr<connection>> clients;
        for (int i = 0; i < sessions; ++i) {
            clients.push_back(std::make_unique<connection>(s.port()));
            clients.back()->send("GET /jitter HTTP/1.1\r\nHost: t\r\nX-Test-Id: t" + std::to_string(i) + "\r\n\r\n");
        }
        for (auto& c : clients) CHECK(c->read_response().status == 200);
        std::map<std::string, long long> delays;
        for (const auto& r : s.srv.requests({.path = "/jitter"})) {
            REQUIRE(r.sessions.size() == 1);
            delays[r.sessions[0]] = r.delay.count();
        }
        return delays;
    };
    const auto first = run();
    REQUIRE(first.size() == sessions);
    std::set<long long> distinct;
    for (const auto& [session, ms] : first) {
        CHECK(ms >= 100);
        CHECK(ms <= 900);
        distinct.insert(ms);
    }
    // 20 draws from 801 values: all distinct four times in five; 15 leaves room for collisions only.
    CHECK(distinct.size() >= 15);
    CHECK(run() == first);  // the same keys, the same seed: the same delays
}

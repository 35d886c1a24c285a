// GET /__teapot/metrics over real sockets: Prometheus' text format, parsed
// line by line, and the counts it reports against the requests that were sent.

#include "client.hpp"
#include "scratch_dir.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

using namespace teapot::test;

namespace {

// The text exposition format 0.0.4: "# HELP name text", "# TYPE name type", and
// samples "name{label="value",...} number". Returns sample (name + labels) → value.
std::map<std::string, double> parse_exposition(const std::string& text) {
    static const std::regex help{R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)"};
    static const std::regex type{R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))"};
    static const std::regex sample{
        R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*\})? (-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?))"};
    std::map<std::string, double> samples;
    std::set<std::string> typed;
    std::istringstream lines{text};
    std::string line;
    std::smatch m;
    while (std::getline(lines, line)) {
        INFO("line: " << line);
        if (std::regex_match(line, m, help)) continue;
        if (std::regex_match(line, m, type)) {
            CHECK(typed.insert(m[1]).second);  // one TYPE per metric
            continue;
        }
        REQUIRE(std::regex_match(line, m, sample));
        CHECK(typed.count(m[1]) == 1);  // declared before its samples
        CHECK(samples.emplace(m[1].str() + m[2].str(), std::stod(m[3])).second);
    }
    return samples;
}

}  // namespace

TEST_CASE("admin metrics: Prometheus text with requests by status and route, faults, connections, sessions, journal",
          "[admin][metrics]") {
    scratch_dir dir;
    auto o = test_options();
    o.scenario_paths = {dir.add("flaky.yaml", R"(name: flaky
isolate_by: header X-Test-Id
routes:
  - id: orders
    match: { path: /api/orders }
    steps: [{ status: 503, times: 2 }, { status: 200 }]
  - id: broken
    match: { path: /api/broken }
    steps: [{ fault: reset }]
)")};
    o.journal_size = 3;
    test_server s{o};
    for (int i = 0; i < 3; ++i) fetch(s.port(), "/api/orders", "X-Test-Id: a\r\n");
    fetch(s.port(), "/api/orders", "X-Test-Id: b\r\n");
    fetch(s.port(), "/status/418");
    {
        connection c{s.port()};
        c.send("GET /api/broken HTTP/1.1\r\nHost: t\r\n\r\n");
        c.read_to_end(std::chrono::seconds{5});
    }
    connection idle{s.port()};            // open, sending nothing yet
    fetch(s.port(), "/__teapot/health");  // the admin API's own requests are not counted

    auto r = fetch(s.port(), "/__teapot/metrics");
    REQUIRE(r.status == 200);
    CHECK(r.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8");
    auto m = parse_exposition(r.body);
    CHECK(m["teapot_requests_total{status=\"503\",scenario=\"flaky\",route=\"orders\"}"] == 3);
    CHECK(m["teapot_requests_total{status=\"200\",scenario=\"flaky\",route=\"orders\"}"] == 1);
    CHECK(m["teapot_requests_total{status=\"418\",scenario=\"\",route=\"\"}"] == 1);
    CHECK(m["teapot_requests_total{status=\"444\",scenario=\"flaky\",route=\"broken\"}"] == 1);
    CHECK_FALSE(m.count("teapot_requests_total{status=\"200\",scenario=\"\",route=\"\"}"));  // /__teapot/health
    CHECK(m["teapot_faults_total{fault=\"reset\"}"] == 1);
    CHECK(m["teapot_requests_by_protocol_total{protocol=\"HTTP/1.1\"}"] == 6);  // the six above
    CHECK(m["teapot_requests_by_protocol_total{protocol=\"HTTP/2\"}"] == 0);
    CHECK(m["teapot_connections_active"] >= 2);  // the idle one and this one
    CHECK(m["teapot_sessions_active{scenario=\"flaky\"}"] == 2);
    CHECK(m["teapot_journal_entries"] == 3);
    CHECK(m["teapot_journal_dropped_total"] == 3);  // 6 recorded in a ring of 3

    CHECK(fetch(s.port(), "/__teapot/metrics", {}, "POST").status == 405);
}

TEST_CASE("admin metrics: requests refused before parsing are counted too", "[admin][metrics]") {
    auto o = test_options();
    o.request_limits.max_header_bytes = 1024;
    test_server s{o};
    fetch(s.port(), "/status/200", "X-Big: " + std::string(2000, 'x') + "\r\n");
    auto m = parse_exposition(fetch(s.port(), "/__teapot/metrics").body);
    CHECK(m["teapot_requests_total{status=\"431\",scenario=\"\",route=\"\"}"] == 1);
}

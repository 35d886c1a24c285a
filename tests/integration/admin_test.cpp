// The admin API over real sockets: health, version, the request journal (its
// contents, filters and bound), and who may use it.

#include "client.hpp"
#include "test_server.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

using namespace teapot::test;
namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

json::value json_of(const response& r) { return json::parse(r.body); }

std::string text_of(const json::value& v) { return std::string{v.as_string()}; }

json::array journal(std::uint16_t port, const std::string& query = {}) {
    auto r = fetch(port, "/__teapot/requests" + query);
    REQUIRE(r.status == 200);
    return json_of(r).at("requests").as_array();
}

response post(std::uint16_t port, const std::string& target, const std::string& headers, const std::string& body) {
    connection c{port};
    // Admin bodies are YAML or JSON, and say so (a web page cannot send them unasked).
    const bool admin = target.starts_with("/__teapot/");
    c.send("POST " + target + " HTTP/1.1\r\n" + host_line(port) + (admin ? "Content-Type: application/yaml\r\n" : "") +
           headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    return c.read_response();
}

struct scenario_dir {
    fs::path path =
        fs::temp_directory_path() / ("teapot-admin-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    scenario_dir() { fs::create_directories(path); }
    ~scenario_dir() { fs::remove_all(path); }
    void add(const std::string& name, const std::string& yaml) { std::ofstream{path / name} << yaml; }
};

const std::string flaky = R"(name: flaky
isolate_by: header X-Test-Id
routes:
  - id: orders
    match: { path: /api/orders }
    steps:
      - { status: 503, times: 2 }
      - { status: 200 }
  - id: broken
    match: { path: /api/broken }
    steps: [{ fault: reset }]
)";

}  // namespace

TEST_CASE("admin: health and version", "[admin]") {
    test_server s;
    auto health = fetch(s.port(), "/__teapot/health");
    CHECK(health.status == 200);
    CHECK(health.header("Content-Type") == "application/json");
    CHECK(json_of(health).at("status") == "ready");
    auto version = fetch(s.port(), "/__teapot/version");
    CHECK(json_of(version).at("version") == std::string{teapot::version()}.c_str());
    CHECK(fetch(s.port(), "/__teapot/health", {}, "POST").status == 405);
    auto unknown = fetch(s.port(), "/__teapot/nope");
    CHECK(unknown.status == 404);
    CHECK_THAT(unknown.body, Catch::Contains("/__teapot/requests"));
}

TEST_CASE("admin: the journal records what the client sent and what answered", "[admin][journal]") {
    test_server s;
    auto answer = post(s.port(), "/status/418?lang=en", "X-Mine: yes\r\n", "hello");
    REQUIRE(answer.status == 418);
    fetch(s.port(), "/__teapot/health");  // the admin API's own requests are not journaled
    // The entry exists as soon as the answer is out; "done" follows the last byte's write.
    REQUIRE(s.srv.wait_for({.path = "/status/418"}, 1));
    auto entries = journal(s.port());
    REQUIRE(entries.size() == 1);
    const auto& e = entries[0].as_object();
    CHECK(e.at("id") == 1);
    CHECK(e.at("method") == "POST");
    CHECK(e.at("target") == "/status/418?lang=en");
    CHECK(e.at("path") == "/status/418");
    CHECK(e.at("body") == "hello");
    CHECK(e.at("body_truncated") == false);
    CHECK(e.at("status") == 418);
    CHECK(e.at("matched") == false);
    CHECK(e.at("fault").is_null());
    CHECK(e.at("delay_ms") == 0);
    CHECK(text_of(e.at("peer")).starts_with("127.0.0.1:"));
    bool has_header = false;
    for (const auto& h : e.at("headers").as_array())
        if (h.as_array()[0] == "X-Mine" && h.as_array()[1] == "yes") has_header = true;
    CHECK(has_header);
    // RFC 3339 times, in order: received ≤ first byte ≤ done (as strings of one format, they sort as times).
    auto received = text_of(e.at("received"));
    auto first_byte = text_of(e.at("first_byte"));
    auto done = text_of(e.at("done"));
    CHECK(received.size() == 24);
    CHECK(received.ends_with("Z"));
    CHECK(received <= first_byte);
    CHECK(first_byte <= done);
}

TEST_CASE("admin: journal entries name the scenario, route, step, session and fault", "[admin][journal]") {
    scenario_dir dir;
    dir.add("flaky.yaml", flaky);
    auto o = test_options();
    o.scenario_paths = {dir.path.string()};
    test_server s{o};
    for (int i = 0; i < 3; ++i) fetch(s.port(), "/api/orders", "X-Test-Id: a\r\n");
    fetch(s.port(), "/api/orders", "X-Test-Id: b\r\n");
    {
        connection c{s.port()};
        c.send("GET /api/broken HTTP/1.1\r\nHost: t\r\nX-Test-Id: a\r\n\r\n");
        c.read_to_end(std::chrono::seconds{5});
    }
    fetch(s.port(), "/nowhere", "X-Test-Id: a\r\n");

    auto a = journal(s.port(), "?session=a");
    REQUIRE(a.size() == 5);
    std::vector<std::int64_t> steps, statuses;
    for (int i = 0; i < 3; ++i) {
        CHECK(a[i].at("scenario") == "flaky");
        CHECK(a[i].at("route") == "orders");
        steps.push_back(a[i].at("step").as_int64());
        statuses.push_back(a[i].at("status").as_int64());
    }
    CHECK(steps == std::vector<std::int64_t>{1, 1, 2});
    CHECK(statuses == std::vector<std::int64_t>{503, 503, 200});
    CHECK(a[3].at("route") == "broken");
    CHECK(a[3].at("fault") == "reset");
    CHECK(a[3].at("status") == 444);
    CHECK(a[3].at("first_byte").is_null());
    // Unmatched, and filed under the session it names, with why no route answered.
    CHECK(a[4].at("matched") == false);
    CHECK_THAT(text_of(a[4].at("unmatched")), Catch::Contains("route"));
    CHECK(a[4].at("status") == 404);

    CHECK(journal(s.port(), "?session=b").size() == 1);
    CHECK(journal(s.port(), "?route=orders").size() == 4);
    CHECK(journal(s.port(), "?scenario=flaky&route=orders&session=a").size() == 3);
    CHECK(journal(s.port(), "?path=/api/broken").size() == 1);
    auto last_id = a[2].at("id").as_int64();
    CHECK(journal(s.port(), "?session=a&since=" + std::to_string(last_id)).size() == 2);

    auto unknown_route = fetch(s.port(), "/__teapot/requests?route=nope");
    CHECK(unknown_route.status == 400);
    CHECK(fetch(s.port(), "/__teapot/requests?since=yesterday").status == 400);
    CHECK(fetch(s.port(), "/__teapot/requests?colour=red").status == 400);

    auto cleared = fetch(s.port(), "/__teapot/requests", {}, "DELETE");
    CHECK(cleared.status == 200);
    CHECK(journal(s.port()).empty());
}

TEST_CASE("admin: --debug-headers says which scenario, route, step and session answered", "[admin][debug]") {
    scenario_dir dir;
    dir.add("flaky.yaml", flaky);
    auto o = test_options();
    o.scenario_paths = {dir.path.string()};
    {
        test_server plain{o};
        auto r = fetch(plain.port(), "/api/orders", "X-Test-Id: a\r\n");
        CHECK(r.status == 503);
        CHECK_FALSE(r.has("X-Teapot-Route"));
    }
    o.debug_headers = true;
    test_server s{o};
    std::vector<std::string> steps;
    for (int i = 0; i < 3; ++i) {
        auto r = fetch(s.port(), "/api/orders", "X-Test-Id: a\r\n");
        CHECK(r.header("X-Teapot-Scenario") == "flaky");
        CHECK(r.header("X-Teapot-Route") == "orders");
        CHECK(r.header("X-Teapot-Session") == "a");
        steps.push_back(r.header("X-Teapot-Step"));
    }
    CHECK(steps == std::vector<std::string>{"1/2", "1/2", "2/2"});
    // Built-in endpoints did not come from a scenario: nothing to say.
    auto builtin = fetch(s.port(), "/status/418", "X-Test-Id: a\r\n");
    CHECK(builtin.status == 418);
    CHECK_FALSE(builtin.has("X-Teapot-Scenario"));
    CHECK_FALSE(builtin.has("X-Teapot-Step"));
}

TEST_CASE("admin: a route id in several scenarios needs the scenario", "[admin][journal]") {
    scenario_dir dir;
    dir.add("one.yaml", "name: one\nroutes: [{ id: r, match: { path: /one }, steps: [{}] }]\n");
    dir.add("two.yaml", "name: two\nroutes: [{ id: r, match: { path: /two }, steps: [{}] }]\n");
    auto o = test_options();
    o.scenario_paths = {dir.path.string()};
    test_server s{o};
    fetch(s.port(), "/one");
    fetch(s.port(), "/two");
    auto ambiguous = fetch(s.port(), "/__teapot/requests?route=r");
    CHECK(ambiguous.status == 400);
    CHECK_THAT(ambiguous.body, Catch::Contains("one, two"));
    CHECK(journal(s.port(), "?scenario=two&route=r").size() == 1);
}

TEST_CASE("admin: the journal is a bounded ring, bodies are capped", "[admin][journal]") {
    auto o = test_options();
    o.journal_size = 3;
    test_server s{o};
    for (int i = 0; i < 5; ++i) fetch(s.port(), "/status/20" + std::to_string(i));
    auto r = fetch(s.port(), "/__teapot/requests");
    auto body = json_of(r).as_object();
    auto entries = body.at("requests").as_array();
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].at("id") == 3);
    CHECK(entries[2].at("target") == "/status/204");
    CHECK(body.at("dropped") == 2);
    CHECK(body.at("capacity") == 3);

    post(s.port(), "/status/200", {}, std::string(70 * 1024, 'x'));
    auto last = journal(s.port()).back();
    CHECK(last.at("body").as_string().size() == 64 * 1024);
    CHECK(last.at("body_truncated") == true);
}

namespace {

// An IPv4 address of this machine that is not loopback (eth0's), if it has one.
std::optional<in_addr> non_loopback_ipv4() {
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return std::nullopt;
    std::optional<in_addr> found;
    for (auto* i = list; i && !found; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
        auto address = reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr;
        if ((ntohl(address.s_addr) >> 24) != 127) found = address;
    }
    ::freeifaddrs(list);
    return found;
}

// One GET to `address`:`port`, the whole answer (the server closes: Connection: close).
std::string get_from(in_addr address, std::uint16_t port, const std::string& target) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    timeval five{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &five, sizeof five);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr = address;
    REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0);
    const std::string request = "GET " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    REQUIRE(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
    std::string bytes;
    char chunk[4096];
    for (ssize_t n; (n = ::recv(fd, chunk, sizeof chunk, 0)) > 0;) bytes.append(chunk, static_cast<std::size_t>(n));
    ::close(fd);
    return bytes;
}

}  // namespace

TEST_CASE("admin: without a token, a peer that is not loopback gets 403, and the rest of teapot", "[admin][security]") {
    const auto address = non_loopback_ipv4();
    if (!address) {
        WARN("this machine has no IPv4 address besides loopback: the unit test of is_loopback_peer stands alone");
        return;
    }
    auto o = test_options();
    o.host = "0.0.0.0";  // reachable on every address of the machine
    test_server s{o};
    auto admin = get_from(*address, s.port(), "/__teapot/health");
    CHECK(admin.starts_with("HTTP/1.1 403 Forbidden\r\n"));
    CHECK(get_from(*address, s.port(), "/status/418").starts_with("HTTP/1.1 418 "));
    // The same server, from loopback: served.
    CHECK(fetch(s.port(), "/__teapot/health").status == 200);
}

TEST_CASE("admin: --admin-token requires the bearer token, --no-admin turns it off", "[admin][security]") {
    SECTION("token") {
        auto o = test_options();
        o.admin_token = "s3cret";
        test_server s{o};
        auto none = fetch(s.port(), "/__teapot/health");
        CHECK(none.status == 401);
        CHECK(none.header("WWW-Authenticate") == "Bearer realm=\"teapot-admin\"");
        CHECK(fetch(s.port(), "/__teapot/health", "Authorization: Bearer wrong\r\n").status == 401);
        CHECK(fetch(s.port(), "/__teapot/health", "Authorization: Bearer s3cret\r\n").status == 200);
        CHECK(fetch(s.port(), "/__teapot/health", "Authorization: bearer s3cret\r\n").status == 200);
    }
    SECTION("off") {
        auto o = test_options();
        o.admin = false;
        test_server s{o};
        CHECK(fetch(s.port(), "/__teapot/health").status == 404);
    }
}

TEST_CASE("admin: an unmatched request is journaled under every session key it carries", "[admin]") {
    scenario_dir dir;
    dir.add("flaky.yaml", flaky);  // sessions by the X-Test-Id header
    dir.add("by-query.yaml", R"(name: by-query
isolate_by: query t
routes:
  - { id: items, match: { path: /api/items }, steps: [{ status: 200 }] }
)");
    auto o = test_options();
    o.scenario_paths = {dir.path.string()};
    test_server s{o};
    CHECK(fetch(s.port(), "/nowhere?t=k2", "X-Test-Id: k1\r\n").status == 404);
    for (std::string key : {"k1", "k2"}) {
        INFO("session " << key);
        auto entries = journal(s.port(), "?session=" + key);
        REQUIRE(entries.size() == 1);
        CHECK(entries[0].at("target") == "/nowhere?t=k2");
        CHECK_FALSE(entries[0].at("unmatched").as_string().empty());
        const auto& sessions = entries[0].at("sessions").as_array();
        CHECK(std::count(sessions.begin(), sessions.end(), json::value("k1")) == 1);
        CHECK(std::count(sessions.begin(), sessions.end(), json::value("k2")) == 1);
    }
}

TEST_CASE("admin: reset forgets cursors and the journal, narrowed by session or scenario", "[admin][reset]") {
    scenario_dir dir;
    dir.add("flaky.yaml", flaky);
    auto o = test_options();
    o.scenario_paths = {dir.path.string()};
    test_server s{o};
    auto step_of = [&](const std::string& session) {
        fetch(s.port(), "/api/orders", "X-Test-Id: " + session + "\r\n");
        return journal(s.port(), "?session=" + session).back().at("step").as_int64();
    };
    CHECK(step_of("a") == 1);
    CHECK(step_of("a") == 1);
    CHECK(step_of("b") == 1);

    auto reset_a = fetch(s.port(), "/__teapot/reset?session=a", {}, "POST");
    CHECK(reset_a.status == 200);
    CHECK(journal(s.port(), "?session=a").empty());
    CHECK(journal(s.port(), "?session=b").size() == 1);
    CHECK(step_of("a") == 1);  // from the start again
    CHECK(step_of("b") == 1);  // untouched: its second request
    CHECK(step_of("b") == 2);

    CHECK(fetch(s.port(), "/__teapot/reset?scenario=flaky", {}, "POST").status == 200);
    CHECK(journal(s.port(), "?scenario=flaky").empty());
    CHECK(step_of("b") == 1);

    // An empty ?session= is the global session (requests without X-Test-Id), as in the journal's filter.
    auto global_step = [&] {
        fetch(s.port(), "/api/orders");
        return journal(s.port(), "?session=").back().at("step").as_int64();
    };
    CHECK(global_step() == 1);
    CHECK(global_step() == 1);
    CHECK(global_step() == 2);
    CHECK(fetch(s.port(), "/__teapot/reset?session=", {}, "POST").status == 200);
    CHECK(journal(s.port(), "?session=").empty());
    CHECK(global_step() == 1);  // from the start again
    CHECK(step_of("b") == 1);   // untouched: its second request

    CHECK(fetch(s.port(), "/__teapot/reset", {}, "POST").status == 200);
    CHECK(journal(s.port()).empty());
    CHECK(fetch(s.port(), "/__teapot/reset?scenario=nope", {}, "POST").status == 400);
    CHECK(fetch(s.port(), "/__teapot/reset?colour=red", {}, "POST").status == 400);
    CHECK(fetch(s.port(), "/__teapot/reset").status == 405);
}

TEST_CASE("admin: wait answers at once, when satisfied later, or 408 on timeout", "[admin][wait]") {
    scenario_dir dir;
    dir.add("flaky.yaml", flaky);
    auto o = test_options();
    o.scenario_paths = {dir.path.string()};
    test_server s{o};

    SECTION("already satisfied: at once") {
        fetch(s.port(), "/api/orders", "X-Test-Id: a\r\n");
        auto r = fetch(s.port(), "/__teapot/wait?route=orders&session=a&count=1&timeout=10s");
        CHECK(r.status == 200);
        CHECK(json_of(r).at("count") == 1);
    }
    SECTION("satisfied later: answers when the requests are served, well before the timeout") {
        connection waiter{s.port(), std::chrono::seconds{20}};
        auto started = std::chrono::steady_clock::now();
        waiter.send("GET /__teapot/wait?route=orders&session=a&count=3&timeout=15s HTTP/1.1\r\n" + host_line(s.port()) +
                    "\r\n");
        std::thread client{[&] {
            for (int i = 0; i < 3; ++i) fetch(s.port(), "/api/orders", "X-Test-Id: a\r\n");
            fetch(s.port(), "/api/orders", "X-Test-Id: b\r\n");  // another session: not counted
        }};
        auto r = waiter.read_response();
        client.join();
        CHECK(r.status == 200);
        CHECK(json_of(r).at("count").as_int64() >= 3);
        // Answered by the third request, not by the 15 s timeout.
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds{15});
        CHECK(journal(s.port(), "?session=a").size() == 3);
    }
    SECTION("timeout: 408 with the count so far") {
        fetch(s.port(), "/api/orders", "X-Test-Id: a\r\n");
        auto started = std::chrono::steady_clock::now();
        auto r = fetch(s.port(), "/__teapot/wait?route=orders&session=a&count=2&timeout=300ms");
        CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds{300});
        CHECK(r.status == 408);
        CHECK(json_of(r).at("count") == 1);
        CHECK(json_of(r).at("wanted") == 2);
    }
    SECTION("bad parameters") {
        CHECK(fetch(s.port(), "/__teapot/wait?count=0").status == 400);
        CHECK(fetch(s.port(), "/__teapot/wait?timeout=2h").status == 400);
        CHECK(fetch(s.port(), "/__teapot/wait?route=nope").status == 400);
        CHECK(fetch(s.port(), "/__teapot/wait", {}, "POST").status == 405);
    }
}

TEST_CASE("admin: a pending wait answers when the server stops", "[admin][wait]") {
    test_server s;
    connection waiter{s.port(), std::chrono::seconds{20}};
    waiter.send("GET /__teapot/wait?path=/never&timeout=30s HTTP/1.1\r\n" + host_line(s.port()) + "\r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds{100});  // let it start waiting
    std::thread stopper{[&] { s.srv.stop(); }};
    response r;
    CHECK_NOTHROW(r = waiter.read_response());  // not cut off by the shutdown
    stopper.join();
    CHECK(r.status == 408);
    CHECK(json_of(r).at("count") == 0);
}

TEST_CASE("admin: verify passes a client that behaves and explains each failure of one that does not",
          "[admin][verify]") {
    scenario_dir dir;
    dir.add("retry.yaml", R"(name: retry
isolate_by: header X-Test-Id
routes:
  - id: orders
    match: { path: /api/orders }
    steps:
      - { status: 503, headers: { Retry-After: "1" }, times: 2 }
      - { status: 200 }
  - id: other
    match: { path: /api/other }
    steps: [{ times: forever }]
expect:
  - { route: orders, count: 3 }
  - { order: [orders, other] }
  - { no_unmatched: true }
  - { all_steps_used: true }
  - { route: orders, honors_retry_after: true }
)");
    auto o = test_options();
    o.scenario_paths = {dir.path.string()};
    test_server s{o};
    auto verify = [&](const std::string& session) {
        return fetch(s.port(), "/__teapot/verify?session=" + session, {}, "POST");
    };

    // A polite client: waits the Retry-After it is given (1 s), then goes on.
    for (int i = 0; i < 3; ++i) {
        auto r = fetch(s.port(), "/api/orders", "X-Test-Id: polite\r\n");
        if (r.status == 503) std::this_thread::sleep_for(std::chrono::milliseconds{1000});
    }
    fetch(s.port(), "/api/other", "X-Test-Id: polite\r\n");
    auto good = verify("polite");
    CHECK(good.status == 200);
    auto verdict = json_of(good).as_object();
    CHECK(verdict.at("verdict") == "pass");
    CHECK(verdict.at("rules").as_array().size() == 5);

    // A rude one: retries at once, calls things out of order, and somewhere unscripted.
    fetch(s.port(), "/api/other", "X-Test-Id: rude\r\n");
    fetch(s.port(), "/api/orders", "X-Test-Id: rude\r\n");
    fetch(s.port(), "/api/orders", "X-Test-Id: rude\r\n");
    fetch(s.port(), "/api/nowhere", "X-Test-Id: rude\r\n");
    auto bad = verify("rude");
    CHECK(bad.status == 409);
    auto failed = json_of(bad).as_object();
    CHECK(failed.at("verdict") == "fail");
    auto diff = std::string{failed.at("diff").as_string()};
    CHECK_THAT(diff, Catch::Contains("{route: orders, count: 3}: route orders: expected 3 request(s), got 2"));
    CHECK_THAT(diff, Catch::Contains("{order: [orders, other]}: first requests: orders (id"));
    CHECK_THAT(diff, Catch::Contains("1 request(s) matched no route: GET /api/nowhere"));
    CHECK_THAT(diff, Catch::Contains("never answered: orders step 2"));
    CHECK_THAT(diff, Catch::Contains("came 0."));
    CHECK_THAT(diff, Catch::Contains("after a Retry-After: 1"));
    for (const auto& rule : failed.at("rules").as_array()) CHECK(rule.at("passed") == false);

    CHECK(fetch(s.port(), "/__teapot/verify?scenario=nope", {}, "POST").status == 400);
    CHECK(fetch(s.port(), "/__teapot/verify").status == 405);
}

TEST_CASE("admin: verify evaluates rules posted in the body, as YAML or JSON", "[admin][verify]") {
    scenario_dir dir;
    dir.add("flaky.yaml", flaky);
    dir.add("other.yaml", "name: other\nroutes: [{ id: orders, match: { path: /other/orders }, steps: [{}] }]\n");
    auto o = test_options();
    o.scenario_paths = {dir.path.string()};
    test_server s{o};
    for (int i = 0; i < 3; ++i) fetch(s.port(), "/api/orders", "X-Test-Id: t1\r\n");

    auto pass = post(s.port(), "/__teapot/verify?session=t1&scenario=flaky", "",
                     R"([{"route": "orders", "count": 3}, {"route": "broken", "count": {"min": 0, "max": 1}}])");
    CHECK(pass.status == 200);
    CHECK(json_of(pass).at("rules").as_array().size() == 2);
    CHECK(json_of(pass).at("rules").as_array()[0].at("scenario") == "flaky");

    auto fail = post(s.port(), "/__teapot/verify?session=t1&scenario=flaky", "",
                     "- { route: orders, count: 2 }\n- { order: [broken, orders] }\n- { no_unmatched: true }\n");
    CHECK(fail.status == 409);
    auto diff = text_of(json_of(fail).at("diff"));
    CHECK_THAT(diff, Catch::Contains("flaky: {route: orders, count: 2}: route orders: expected 2 request(s), got 3"));
    CHECK_THAT(diff, Catch::Contains("route broken was never requested"));
    CHECK_THAT(diff, !Catch::Contains("no_unmatched"));  // it passed

    // A route alone must be unique: broken is, orders is in two scenarios.
    CHECK(post(s.port(), "/__teapot/verify?session=t1", "", "[{route: broken, count: 0}]").status == 200);
    auto ambiguous = post(s.port(), "/__teapot/verify?session=t1", "", "[{route: orders, count: 3}]");
    CHECK(ambiguous.status == 400);
    CHECK_THAT(text_of(json_of(ambiguous).at("error")), Catch::Contains("several scenarios (flaky, other)"));
    auto unknown = post(s.port(), "/__teapot/verify?session=t1&scenario=flaky", "", "[{route: nope, count: 1}]");
    CHECK(unknown.status == 400);
    CHECK_THAT(text_of(json_of(unknown).at("error")), Catch::Contains("scenario flaky has no route nope"));
    auto invalid = post(s.port(), "/__teapot/verify?session=t1", "", "- { route: broken, cuont: 1 }\n");
    CHECK(invalid.status == 400);
    CHECK_THAT(text_of(json_of(invalid).at("error")), Catch::Contains("rules:1:20: unknown key 'cuont'"));
    CHECK(post(s.port(), "/__teapot/verify?session=t1", "", "[{route: broken, count: 1}").status == 400);
}

TEST_CASE("admin: verify judges the scenarios the session played, and asks for the session when they isolate",
          "[admin][verify]") {
    // The bundled scenarios: flaky-upstream expects 3 orders, rate-limited a client that honours Retry-After.
    auto o = test_options();
    o.scenario_paths = {TEAPOT_SCENARIOS_DIR};
    test_server s{o};
    auto verify = [&](const std::string& query) { return fetch(s.port(), "/__teapot/verify" + query, {}, "POST"); };
    // A correct client of rate-limited alone: three requests within its quota.
    for (int i = 0; i < 3; ++i) CHECK(fetch(s.port(), "/api/quota", "X-Test-Id: quota-ok\r\n").status == 200);
    auto good = verify("?session=quota-ok");
    CHECK(good.status == 200);  // before: 409, on flaky-upstream's rule it never had to meet
    const auto good_json = json_of(good);
    const auto& rules = good_json.at("rules").as_array();
    REQUIRE(rules.size() == 1);
    CHECK(rules[0].at("scenario") == "rate-limited");

    // No session named: the scenarios isolate by X-Test-Id, so the global session is not what was meant.
    auto unnamed = verify("");
    CHECK(unnamed.status == 400);
    CHECK_THAT(text_of(json_of(unnamed).at("error")),
               Catch::Contains("session=KEY") && Catch::Contains("isolates by header X-Test-Id"));
    // A session that played nothing with rules: a 400 that says so, not a silent "got 0".
    auto idle = verify("?session=typo");
    CHECK(idle.status == 400);
    CHECK_THAT(text_of(json_of(idle).at("error")), Catch::Contains("session 'typo' (0 requests recorded) played no "
                                                                   "scenario that has expect rules"));
    // Named, a scenario is judged even untouched: then "got 0" is the verdict asked for.
    CHECK(verify("?session=typo&scenario=flaky-upstream").status == 409);

    // A failing verdict names the scenario of each rule, and how to judge one alone.
    CHECK(fetch(s.port(), "/api/orders", "X-Test-Id: impatient\r\n").status == 503);
    CHECK(fetch(s.port(), "/api/quota", "X-Test-Id: impatient\r\n").status == 200);
    auto bad = verify("?session=impatient");
    CHECK(bad.status == 409);
    const auto verdict = json_of(bad);
    CHECK_THAT(text_of(verdict.at("diff")),
               Catch::Contains("flaky-upstream: {route: list-orders, count: 3}: route list-orders: expected 3"));
    const auto hint = text_of(verdict.at("hint"));
    CHECK_THAT(hint, Catch::Contains("scenarios session 'impatient' played (flaky-upstream, rate-limited)"));
    CHECK_THAT(hint, Catch::Contains("failed: flaky-upstream; add scenario=flaky-upstream"));
    CHECK(verify("?session=impatient&scenario=rate-limited").status == 200);
}

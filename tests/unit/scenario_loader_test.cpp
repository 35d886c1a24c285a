#include <catch2/catch.hpp>

#include "plan/request.hpp"
#include "scenario/loader.hpp"
#include "scenario/loader_body_file.hpp"
#include "scenario/matcher.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace teapot::detail::scenario;

namespace {

// A fresh directory per test, removed with everything in it at the end.
class temp_dir {
public:
    temp_dir() {
        static std::atomic<int> counter{0};
        std::random_device entropy;
        std::string name = "teapot-loader-test-";
        name.append(std::to_string(::getpid())).append("-").append(std::to_string(counter++));
        name.append("-").append(std::to_string(entropy()));
        path_ = fs::temp_directory_path() / name;
        fs::create_directories(path_);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    const fs::path& path() const { return path_; }

    fs::path write(const fs::path& relative, std::string_view text) const {
        fs::path file = path_ / relative;
        fs::create_directories(file.parent_path());
        std::ofstream out{file, std::ios::binary};
        out << text;
        return file;
    }

private:
    fs::path path_;
};

// Raw strings start with a newline for readability; line 1 is the line after it.
std::string_view trim_first_newline(std::string_view yaml) {
    if (!yaml.empty() && yaml.front() == '\n') yaml.remove_prefix(1);
    return yaml;
}

load_result load(std::string_view yaml, const fs::path& base_dir = fs::temp_directory_path()) {
    return load_scenario_text(trim_first_newline(yaml), "t.yaml", base_dir);
}

std::vector<std::string> errors_of(const load_result& result) {
    std::vector<std::string> out;
    for (const auto& e : result.errors) out.push_back(e.to_string());
    return out;
}

std::vector<std::string> errors_of(std::string_view yaml, const fs::path& base_dir = fs::temp_directory_path()) {
    auto result = load(yaml, base_dir);
    CHECK(result.scenarios.empty());
    return errors_of(result);
}

using strings = std::vector<std::string>;

#define VALID_PLACEHOLDERS                                                                                       \
    "valid placeholders: request.path.<capture>, request.query.<name>, request.header.<name>, "                  \
    "request.json.<dotted.path>, session, step.index, step.count, now, now +<duration>, now -<duration>, uuid, " \
    "limit.retry_after_s, and \"text\" for literal text ({{ \"{{\" }} writes a literal \"{{\")"

}  // namespace

TEST_CASE("loader: a file with every supported key becomes the model, field by field", "[loader]") {
    temp_dir dir;
    dir.write("fixtures/orders.json", R"({"orders":[]})");
    auto file = dir.write("flaky.yaml", trim_first_newline(R"(
name: flaky-orders
isolate_by: header X-Test-Id
seed: 42
routes:
  - id: list-orders
    match:
      method: [get, POST]
      path: /api/orders/{id}/items/{item_id}
      query: { page: "1", q: "~^a.c$", debug: "*", legacy: "!" }
      headers: { Accept: "~json" }
      body:
        json: { sku: "42", n: 42, big: -7, f: 1.5, ok: true, no: False, nothing: ~, list: [1, "2"], word: yes }
    priority: -3
    when_state: running
    steps:
      - status: 503
        reason: Try Later
        headers: { Retry-After: "1", X-Trace: 7 }
        json: { error: upstream unavailable }
        times: 2
        delay: 150ms
        interim: [100, 103]
      - status: 200
        body_file: fixtures/orders.json
        set_state: done
        times: forever
    then: loop
  - id: regex.route_2
    match:
      method: delete
      path: "~/items/[0-9]+"
      body: { regex: "^x+$" }
    steps:
      - body: plain text
    then: pass
  - id: health
    match: { path: /health, body: { contains: ok } }
    steps: [{ status: 204 }]
    then: fail
  - id: equals
    match: { body: { equals: "abc" } }
    steps: [{}]
    then: repeat-last
expect:
  - { route: list-orders, count: 3 }
  - { route: regex.route_2, count: { min: 1, max: 4 } }
  - { order: [list-orders, health, list-orders] }
  - { no_unmatched: true }
  - { all_steps_used: True }
  - { route: list-orders, honors_retry_after: true }
)"));
    auto result = load_scenario_paths({file.string()});
    REQUIRE(errors_of(result) == strings{});
    REQUIRE(result.scenarios.size() == 1);
    const scenario& s = result.scenarios[0];
    CHECK(s.name == "flaky-orders");
    CHECK(s.file == file.string());
    CHECK(s.isolate_by.by == isolation::kind::header);
    CHECK(s.isolate_by.name == "X-Test-Id");
    CHECK(s.seed == std::uint64_t{42});
    REQUIRE(s.routes.size() == 4);

    const route& r = s.routes[0];
    CHECK(r.id == "list-orders");
    CHECK(r.where.file == file.string());
    CHECK(r.where.line == 5);
    CHECK(r.where.column == 5);
    CHECK(r.match.methods == strings{"GET", "POST"});
    REQUIRE(r.match.path);
    CHECK(r.match.path->how == path_matcher::kind::pattern);
    CHECK(r.match.path->text == "/api/orders/{id}/items/{item_id}");
    CHECK(r.match.path->segments == strings{"api", "orders", "{id}", "items", "{item_id}"});
    CHECK_FALSE(r.match.path->regex);
    REQUIRE(r.match.query.size() == 4);
    CHECK(r.match.query[0].first == "page");
    CHECK(r.match.query[0].second.how == value_matcher::kind::exact);
    CHECK(r.match.query[0].second.text == "1");
    CHECK(r.match.query[1].first == "q");
    CHECK(r.match.query[1].second.how == value_matcher::kind::regex);
    CHECK(r.match.query[1].second.text == "^a.c$");
    REQUIRE(r.match.query[1].second.regex);
    CHECK(r.match.query[1].second.regex->search("abc"));
    CHECK(r.match.query[2].first == "debug");
    CHECK(r.match.query[2].second.how == value_matcher::kind::present);
    CHECK(r.match.query[3].first == "legacy");
    CHECK(r.match.query[3].second.how == value_matcher::kind::absent);
    REQUIRE(r.match.headers.size() == 1);
    CHECK(r.match.headers[0].first == "Accept");
    CHECK(r.match.headers[0].second.how == value_matcher::kind::regex);
    CHECK(r.match.headers[0].second.regex->search("application/json"));
    CHECK(r.match.body.how == body_matcher::kind::json);
    CHECK(r.match.body.json == boost::json::parse(R"({"sku":"42","n":42,"big":-7,"f":1.5,"ok":true,"no":false,)"
                                                  R"("nothing":null,"list":[1,"2"],"word":"yes"})"));
    CHECK(r.match.body.json.at("n").is_int64());
    CHECK(r.match.body.json.at("f").is_double());
    CHECK(r.match.body.json.at("sku").is_string());
    CHECK(r.priority == -3);
    CHECK(r.when_state == std::optional<std::string>{"running"});
    CHECK(r.then == then_mode::loop);
    REQUIRE(r.steps.size() == 2);

    const step& first = r.steps[0];
    CHECK(first.status == 503);
    CHECK(first.reason == std::optional<std::string>{"Try Later"});
    REQUIRE(first.headers.size() == 2);
    CHECK(first.headers[0].name == "Retry-After");
    CHECK(first.headers[0].value == "1");
    CHECK(first.headers[1].name == "X-Trace");
    CHECK(first.headers[1].value == "7");
    CHECK(first.body == std::optional<std::string>{R"({"error":"upstream unavailable"})"
                                                   "\n"});
    CHECK(first.content_type == std::optional<std::string>{"application/json"});
    CHECK(first.times == std::optional<std::uint64_t>{2});
    CHECK(first.delay == 150ms);
    CHECK(first.interim == std::vector<int>{100, 103});
    CHECK_FALSE(first.set_state);
    CHECK(first.where.line == 16);
    CHECK(first.where.column == 9);

    const step& second = r.steps[1];
    CHECK(second.status == 200);
    CHECK_FALSE(second.reason);
    CHECK(second.headers.empty());
    CHECK(second.body == std::optional<std::string>{R"({"orders":[]})"});
    CHECK(second.content_type == std::optional<std::string>{"application/json"});
    CHECK_FALSE(second.times);
    CHECK(second.delay == 0ms);
    CHECK(second.interim.empty());
    CHECK(second.set_state == std::optional<std::string>{"done"});

    const route& regex_route = s.routes[1];
    CHECK(regex_route.id == "regex.route_2");
    CHECK(regex_route.match.methods == strings{"DELETE"});
    REQUIRE(regex_route.match.path);
    CHECK(regex_route.match.path->how == path_matcher::kind::regex);
    CHECK(regex_route.match.path->text == "/items/[0-9]+");
    REQUIRE(regex_route.match.path->regex);
    CHECK(regex_route.match.path->regex->full_match("/items/12"));
    CHECK_FALSE(regex_route.match.path->regex->full_match("/items/12/x"));
    CHECK(regex_route.match.body.how == body_matcher::kind::regex);
    CHECK(regex_route.match.body.text == "^x+$");
    REQUIRE(regex_route.match.body.regex);
    CHECK(regex_route.match.body.regex->search("xxx"));
    CHECK(regex_route.steps.at(0).body == std::optional<std::string>{"plain text"});
    CHECK_FALSE(regex_route.steps.at(0).content_type);
    CHECK(regex_route.then == then_mode::pass);

    const route& health = s.routes[2];
    CHECK(health.match.methods.empty());
    REQUIRE(health.match.path);
    CHECK(health.match.path->how == path_matcher::kind::exact);
    CHECK(health.match.path->text == "/health");
    CHECK(health.match.body.how == body_matcher::kind::contains);
    CHECK(health.match.body.text == "ok");
    CHECK(health.steps.at(0).status == 204);
    CHECK(health.then == then_mode::fail);

    const route& equals = s.routes[3];
    CHECK(equals.match.body.how == body_matcher::kind::equals);
    CHECK(equals.match.body.text == "abc");
    CHECK(equals.then == then_mode::repeat_last);

    REQUIRE(s.expect.size() == 6);
    CHECK(s.expect[0].what == expect_rule::kind::count);
    CHECK(s.expect[0].route == "list-orders");
    CHECK(s.expect[0].min == 3);
    CHECK(s.expect[0].max == 3);
    CHECK(s.expect[0].where.line == 45);
    CHECK(s.expect[1].what == expect_rule::kind::count);
    CHECK(s.expect[1].route == "regex.route_2");
    CHECK(s.expect[1].min == 1);
    CHECK(s.expect[1].max == 4);
    CHECK(s.expect[2].what == expect_rule::kind::order);
    CHECK(s.expect[2].order == strings{"list-orders", "health", "list-orders"});
    CHECK(s.expect[3].what == expect_rule::kind::no_unmatched);
    CHECK(s.expect[4].what == expect_rule::kind::all_steps_used);
    CHECK(s.expect[5].what == expect_rule::kind::honors_retry_after);
    CHECK(s.expect[5].route == "list-orders");
}

TEST_CASE("loader: defaults", "[loader]") {
    temp_dir dir;
    auto file = dir.write("polling-job.yaml", trim_first_newline(R"(
routes:
  - id: r
    steps:
      - {}
)"));
    auto result = load_scenario_paths({file.string()});
    REQUIRE(errors_of(result) == strings{});
    REQUIRE(result.scenarios.size() == 1);
    const scenario& s = result.scenarios[0];
    CHECK(s.name == "polling-job");
    CHECK(s.isolate_by.by == isolation::kind::global);
    CHECK(s.isolate_by.name.empty());
    CHECK_FALSE(s.seed);
    CHECK(s.expect.empty());
    const route& r = s.routes.at(0);
    CHECK(r.match.methods.empty());
    CHECK_FALSE(r.match.path);
    CHECK(r.match.query.empty());
    CHECK(r.match.headers.empty());
    CHECK(r.match.body.how == body_matcher::kind::any);
    CHECK(r.priority == 0);
    CHECK_FALSE(r.when_state);
    CHECK(r.then == then_mode::repeat_last);
    const step& st = r.steps.at(0);
    CHECK(st.status == 200);
    CHECK_FALSE(st.reason);
    CHECK(st.headers.empty());
    CHECK_FALSE(st.body);
    CHECK_FALSE(st.content_type);
    CHECK(st.times == std::optional<std::uint64_t>{1});
    CHECK(st.delay == 0ms);
    CHECK(st.interim.empty());
    CHECK_FALSE(st.set_state);
}

TEST_CASE("loader: isolate_by forms", "[loader]") {
    auto isolation_of = [](std::string_view spec) {
        std::string yaml = "isolate_by: ";
        yaml.append(spec).append("\nname: x\nroutes: [{ id: r, steps: [{}] }]\n");
        auto result = load_scenario_text(yaml, "t.yaml", fs::temp_directory_path());
        REQUIRE(errors_of(result) == strings{});
        return result.scenarios.at(0).isolate_by;
    };
    CHECK(isolation_of("global").by == isolation::kind::global);
    CHECK(isolation_of("query session").by == isolation::kind::query);
    CHECK(isolation_of("query session").name == "session");
    CHECK(isolation_of("cookie sid").by == isolation::kind::cookie);
    CHECK(isolation_of("cookie sid").name == "sid");
    CHECK(isolation_of("header X-Test-Id").name == "X-Test-Id");
}

TEST_CASE("loader: text without a file needs a name", "[loader]") {
    auto result = load_scenario_text("routes: [{ id: r, steps: [{}] }]\n", "", fs::temp_directory_path());
    CHECK(errors_of(result) == strings{"<scenario>:1:1: a scenario loaded without a file needs a 'name'"});
    CHECK(load_scenario_text("name: n\nroutes: [{ id: r, steps: [{}] }]\n", "", fs::temp_directory_path()).ok());
}

TEST_CASE("loader: json keeps quoted scalars as strings and maps YAML scalars to JSON types", "[loader]") {
    auto result = load(R"(
name: j
routes:
  - id: r
    steps:
      - json: { a: "1", b: 1, c: "true", d: true, e: "~", f: ~, g: 2.5e3, h: 0x1F, i: 'null', j: !!str 5, k: }
      - json: [1, two]
      - json: just text
)");
    REQUIRE(errors_of(result) == strings{});
    const auto& steps = result.scenarios.at(0).routes.at(0).steps;
    CHECK(boost::json::parse(steps[0].body->view()) ==
          boost::json::parse(
              R"({"a":"1","b":1,"c":"true","d":true,"e":"~","f":null,"g":2500.0,"h":31,"i":"null","j":"5","k":null})"));
    CHECK(*steps[1].body == R"([1,"two"])"
                            "\n");
    CHECK(*steps[2].body == R"("just text")"
                            "\n");
}

TEST_CASE("loader: unknown keys name the place and every expected key", "[loader]") {
    CHECK(errors_of(R"(
name: orders
routes:
  - id: r
    steps:
      - status: 200
      - stauts: 200
)") == strings{"t.yaml:6:9: unknown key 'stauts' in a step; expected one of: status, reason, headers, body, json, "
               "body_file, times, delay, interim, set_state, one_of, template, fault, stream"});
    CHECK(errors_of(R"(
nmae: orders
routes: [{ id: r, steps: [{}], match: { methd: GET, body: { has: x } } }]
)") == strings{
           "t.yaml:1:1: unknown key 'nmae' in the scenario; expected one of: name, isolate_by, seed, routes, expect, "
           "tls_cases",
           "t.yaml:2:41: unknown key 'methd' in 'match'; expected one of: method, path, query, headers, body",
           "t.yaml:2:61: unknown key 'has' in 'match.body'; expected one of: contains, equals, regex, json"});
    CHECK(errors_of(R"(
name: orders
routes:
  - id: r
    step: []
)") == strings{"t.yaml:3:5: a route needs 'steps'; expected a non-empty list of steps",
               "t.yaml:4:5: unknown key 'step' in a route; expected one of: id, match, priority, when_state, steps, "
               "then, limit"});
    CHECK(errors_of(R"(
name: orders
routes: [{ id: r, steps: [{}] }]
expect:
  - { route: r, cuont: 1 }
)") == strings{"t.yaml:4:5: an expect rule needs one of: count, honors_retry_after, order, no_unmatched, "
               "all_steps_used, tls",
               "t.yaml:4:17: unknown key 'cuont' in an expect rule; expected one of: route, count, "
               "honors_retry_after, order, no_unmatched, all_steps_used, tls"});
}

TEST_CASE("loader: faults, in both forms", "[loader][faults]") {
    auto loaded = load(R"(
name: faults
routes:
  - id: r
    steps:
      - fault: reset
      - { fault: close, delay: 2s }
      - fault: hang
      - fault: { hang: 30s }
      - fault: "hang:5s"
      - fault: { garbage: 64B }
      - { status: 200, body: "0123456789", fault: { truncate: 4B, end: reset } }
      - { status: 503, fault: bad-chunk }
      - { json: { a: 1 }, fault: { wrong_length: +100 } }
      - { body: "0123456789", fault: { wrong_length: -3 } }
      - { status: 413, fault: early-response }
      - { fault: { slow_headers: 1B/100ms }, stream: { chunk: 2B, every: 50ms } }
      - { stream: { rate: 2KB/s } }
      - { stream: 256B/1s, delay: { uniform: [100ms, 300ms] } }
      - delay: { lognormal: { median: 80ms, sigma: 0.4, max: 2s } }
)");
    INFO((loaded.errors.empty() ? std::string{} : loaded.errors.front().to_string()));
    REQUIRE(loaded.ok());
    const auto& steps = loaded.scenarios[0].routes[0].steps;
    using k = teapot::detail::fault::kind;
    CHECK(steps[0].fault.what == k::reset);
    CHECK(steps[1].fault.what == k::close);
    CHECK(steps[1].delay == 2s);
    CHECK(steps[2].fault.what == k::hang);
    CHECK_FALSE(steps[2].fault.hang_for);
    CHECK(steps[3].fault.hang_for == 30s);
    CHECK(steps[4].fault.hang_for == 5s);
    CHECK(steps[5].fault.what == k::garbage);
    CHECK(steps[5].fault.bytes == 64);
    CHECK(steps[6].fault.what == k::truncate);
    CHECK(steps[6].fault.bytes == 4);
    CHECK(steps[6].fault.reset_at_end);
    CHECK(steps[7].fault.what == k::bad_chunk);
    CHECK(steps[8].fault.length_delta == 100);
    CHECK(steps[9].fault.length_delta == -3);
    CHECK(steps[10].fault.what == k::early_response);
    CHECK(steps[11].fault.what == k::slow_headers);
    CHECK(steps[11].fault.pace.bytes == 1);
    CHECK(steps[11].fault.pace.every == 100ms);
    REQUIRE(steps[11].stream);
    CHECK(steps[11].stream->bytes == 2);
    CHECK(steps[11].stream->every == 50ms);
    REQUIRE(steps[12].stream);
    CHECK(steps[12].stream->bytes == 100);  // 2000 B/s as 20 writes a second
    CHECK(steps[12].stream->every == 50ms);
    REQUIRE(steps[13].random_delay);
    CHECK(steps[13].random_delay->low == 100ms);
    CHECK(steps[13].random_delay->high == 300ms);
    REQUIRE(steps[14].random_delay);
    CHECK(steps[14].random_delay->median == 80ms);
    CHECK(steps[14].random_delay->sigma == 0.4);
    CHECK(steps[14].random_delay->max == 2s);
}

TEST_CASE("loader: fault errors say where and why", "[loader][faults]") {
    CHECK(errors_of(R"(
name: bad-faults
routes:
  - id: r
    steps:
      - fault: explode
      - fault: { hang: forever }
      - fault: { garbage: 0B }
      - fault: { truncate: 4B, end: later }
      - fault: { wrong_length: 100 }
      - { fault: reset, body: "never sent" }
      - { status: 204, fault: { truncate: 1B } }
      - { body: "short", fault: { truncate: 5B } }
      - { body: "short", fault: { wrong_length: -6 } }
      - { fault: close, stream: 1B/1s }
      - stream: { chunk: 1B }
      - delay: { uniform: [300ms, 100ms] }
      - delay: { lognormal: { median: 80ms, sigma: 0 , max: 2s } }
      - one_of: [{ fault: early-response }, { status: 200 }]
)") == strings{
           "t.yaml:5:16: in 'fault': unknown fault 'explode'; expected one of: reset, close, hang, garbage, "
           "truncate, bad-chunk, wrong_length, early-response, slow_headers, tls-no-close-notify, tls-bad-record, "
           "tls-key-update, tls-renegotiate, tls-alert, rst_stream, goaway, flow_stall, unknown_frame, continuation, "
           "table_size_update, ping, tiny_window, max_streams, settings_no_ack",
           "t.yaml:6:16: in 'fault': fault hang takes a duration such as 30s",
           "t.yaml:7:16: in 'fault': fault garbage takes a size from 1B to 1MiB, such as 64B",
           "t.yaml:8:37: 'end' must be close or reset, not 'later'",
           "t.yaml:9:16: in 'fault': fault wrong_length takes a signed byte count such as +100 or -100",
           "t.yaml:10:11: fault reset sends no response, so 'body' cannot be honoured; expected the fault alone "
           "(a delay may come first)",
           "t.yaml:11:24: fault truncate needs a response with a body; 204 has none",
           "t.yaml:12:26: fault truncate must keep fewer bytes than the body has (5 for 200)",
           "t.yaml:13:26: fault wrong_length cannot announce fewer than 0 bytes: the body has 5",
           "t.yaml:14:11: fault close sends no response, so 'stream' cannot be honoured; expected the fault alone "
           "(a delay may come first)",
           "t.yaml:15:17: 'stream' takes either chunk and every, or rate alone",
           "t.yaml:16:16: in 'delay': a uniform delay needs its low bound first, such as [100ms, 300ms]",
           "t.yaml:17:16: in 'delay': a lognormal delay needs a sigma above 0 and at most 10, such as 0.4",
           "t.yaml:18:20: fault early-response cannot be drawn by one_of: the answer must be known before the "
           "request body is read; expected it on a plain step",
       });
}
TEST_CASE("loader: a YAML syntax error stops with its position", "[loader]") {
    CHECK(errors_of(R"(
name: broken
routes:
  - id: r
    steps: [{ status: 200 }
  - id: s
)") == strings{"t.yaml:5:3: invalid YAML: illegal block entry"});
    CHECK(errors_of("name: a: b\n") == strings{"t.yaml:1:8: invalid YAML: illegal map value"});
}

// Issue 13: yaml-cpp said "unknown escape character" (or read the text as UTF-16) for a NUL byte,
// and "bad file" at a mark past the line for deep nesting.
TEST_CASE("loader: a NUL byte and nesting too deep say what is wrong and where", "[loader]") {
    const std::string nul_message =
        "the text holds a NUL byte (0x00); YAML text cannot hold one: write \\0 inside a double-quoted string";
    auto with_nul = [](std::string before, std::string after) {
        before.push_back('\0');
        return before + after;
    };
    CHECK(errors_of(with_nul("name: a\nroutes:\n  - id: r\n    steps: [{ body: \"a", "b\" }]\n")) ==
          strings{"t.yaml:4:23: " + nul_message});
    CHECK(errors_of(with_nul("", "name: a\n")) == strings{"t.yaml:1:1: " + nul_message});
    CHECK(errors_of(with_nul("name: a", "\nroutes: [{ id: r, steps: [{}] }]\n")) ==
          strings{"t.yaml:1:8: " + nul_message});
    CHECK(errors_of(with_nul("name: a\nroutes: [{ id: r, steps: [{ body: 'x", "' }] }]\n")) ==
          strings{"t.yaml:2:37: " + nul_message});
    auto rules = load_expect_rules(with_nul("[{ route: a, count: 1 }]", ""), "rules");
    REQUIRE(rules.errors.size() == 1);
    CHECK(rules.errors[0].to_string() == "rules:1:25: " + nul_message);

    const std::string deep_message =
        "the YAML nests deeper than 256 levels (lists and mappings, [ ], { } or indented, inside one another); "
        "expected a scenario a few levels deep";
    // Unclosed, each '[' after the first opens two levels as yaml-cpp reads it (a list, and
    // a mapping it may be the key of): the 129th passes 256.
    CHECK(errors_of("name: d\nroutes: " + std::string(100'000, '[')) == strings{"t.yaml:2:137: " + deep_message});
    CHECK(errors_of("name: d\nroutes: [{ id: r, steps: [{}] }]\nseed: " + std::string(255, '[') +
                    std::string(255, ']')) == strings{"t.yaml:3:7: 'seed' must be an unsigned integer, not a list"});
    CHECK(errors_of("name: d\nroutes: [{ id: r, steps: [{}] }]\nseed: " + std::string(256, '[') +
                    std::string(256, ']')) == strings{"t.yaml:3:262: " + deep_message});
    std::string block = "name: d\nroutes: [{ id: r, steps: [{}] }]\nseed:\n";
    for (int i = 1; i <= 300; ++i) block += std::string(2 * i, ' ') + "k:\n";
    CHECK(errors_of(block) == strings{"t.yaml:259:513: " + deep_message});
    auto deep_rules = load_expect_rules(std::string(100'000, '['), "rules");
    REQUIRE(deep_rules.errors.size() == 1);
    CHECK(deep_rules.errors[0].to_string() == "rules:1:129: " + deep_message);
}

TEST_CASE("loader: empty, non-mapping and multi-document files", "[loader]") {
    CHECK(errors_of("") ==
          strings{"t.yaml:1:1: the file is empty; expected a scenario: a mapping with at least 'routes'"});
    CHECK(errors_of("# only a comment\n") ==
          strings{"t.yaml:1:1: the file is empty; expected a scenario: a mapping with at least 'routes'"});
    CHECK(errors_of("- a\n- b\n") == strings{"t.yaml:1:1: the scenario is a list; expected a mapping with keys: name, "
                                             "isolate_by, seed, routes, expect, tls_cases"});
    CHECK(errors_of("name: a\nroutes: [{ id: r, steps: [{}] }]\n---\nname: b\n") ==
          strings{"t.yaml:4:1: a second YAML document ('---'); expected one scenario per file"});
}

// fuzz/regressions/scenario_loader/stray-comma-*: yaml-cpp 0.7's LoadAll never returned
// on these (an endless run of empty documents, memory growing until the OOM killer).
TEST_CASE("loader: a stray comma outside a flow collection is an error with its position, not an endless load",
          "[loader]") {
    constexpr std::string_view why =
        "invalid YAML: unexpected ',': a comma separates the items of a [list] or a "
        "{mapping} only";
    CHECK(errors_of(",") == strings{"t.yaml:1:1: " + std::string{why}});
    CHECK(errors_of("[a],") == strings{"t.yaml:1:4: " + std::string{why}});
    CHECK(errors_of("- a\n,\n") == strings{"t.yaml:2:1: " + std::string{why}});
    // The same text as verify's rules: one document is read, so it ends too.
    CHECK_FALSE(load_expect_rules(",", "rules").ok());
}

TEST_CASE("loader: wrong types", "[loader]") {
    CHECK(errors_of(R"(
name: [a]
seed: -1
isolate_by: { header: X }
routes:
  - id: { x: 1 }
    match: GET
    priority: high
    when_state: [a]
    steps:
      - status: { code: 200 }
        reason: { a: 1 }
        headers: [Retry-After]
        body: [a]
        set_state:
      - times: 0
      - times: -1
      - times: [1]
      - interim: 100
  - id: s
    match: { method: { a: 1 }, path: [/], query: [a], headers: "x", body: "x" }
    steps: {}
  - "a route"
expect: { route: r }
)") == strings{
           "t.yaml:1:7: 'name' must be a name of letters, digits, '.', '_' or '-', not a list",
           "t.yaml:2:7: 'seed' must be an unsigned integer, not '-1'",
           "t.yaml:3:13: 'isolate_by' must be one of: global, header NAME, query NAME, cookie NAME, not a mapping",
           "t.yaml:5:9: a route id must be a name of letters, digits, '.', '_' or '-', not a mapping",
           "t.yaml:6:12: 'match' must be a mapping with keys: method, path, query, headers, body, not 'GET'",
           "t.yaml:7:15: 'priority' must be an integer, not 'high'",
           "t.yaml:8:17: 'when_state' must be a non-empty string, not a list",
           "t.yaml:10:17: 'status' must be a three-digit status code from 100 to 599, not a mapping",
           "t.yaml:11:17: 'reason' must be a reason phrase (visible characters and spaces), not a mapping",
           "t.yaml:12:18: 'headers' must be a mapping of header names to values, not a list",
           "t.yaml:13:15: 'body' must be a string, not a list",
           "t.yaml:14:9: 'set_state' must be a non-empty string, not empty",
           "t.yaml:15:16: 'times' must be a positive integer or 'forever', not '0'",
           "t.yaml:16:16: 'times' must be a positive integer or 'forever', not '-1'",
           "t.yaml:17:16: 'times' must be a positive integer or 'forever', not a list",
           "t.yaml:18:18: 'interim' must be a list of 1xx status codes other than 101, not '100'",
           "t.yaml:20:22: 'method' must be an HTTP method (a token such as GET) or a list of them, not a mapping",
           "t.yaml:20:38: 'path' must be a path starting with '/', a pattern like /orders/{id}, or ~REGEX, not "
           "a list",
           "t.yaml:20:50: 'query' must be a mapping of names to value matchers, not a list",
           "t.yaml:20:64: 'headers' must be a mapping of names to value matchers, not 'x'",
           "t.yaml:20:75: 'body' must be a mapping with exactly one of: contains, equals, regex, json, not 'x'",
           "t.yaml:21:12: 'steps' must be a non-empty list of steps, not a mapping",
           "t.yaml:22:5: a route must be a mapping with keys: id, match, priority, when_state, steps, then, limit, "
           "not 'a route'",
           "t.yaml:23:9: 'expect' must be a list of expect rules, not a mapping",
       });
}

TEST_CASE("loader: empty and missing routes and steps", "[loader]") {
    CHECK(errors_of("name: a\n") ==
          strings{"t.yaml:1:1: the scenario has no 'routes'; expected a non-empty list of routes"});
    CHECK(errors_of("name: a\nroutes: []\n") ==
          strings{"t.yaml:2:9: 'routes' must be a non-empty list of routes, not a list"});
    CHECK(errors_of("name: a\nroutes:\n") == strings{"t.yaml:2:1: 'routes' must be a list of routes, not empty"});
    CHECK(errors_of("name: a\nroutes:\n  - id: r\n    steps: []\n") ==
          strings{"t.yaml:4:12: 'steps' must be a non-empty list of steps, not a list"});
    CHECK(errors_of("name: a\nroutes:\n  - steps: [{}]\n") ==
          strings{"t.yaml:3:5: a route needs an 'id'; expected a name of letters, digits, '.', '_' or '-'"});
}

TEST_CASE("loader: names and ids", "[loader]") {
    CHECK(errors_of("name: 'my scenario'\nroutes: [{ id: 'a/b', steps: [{}] }]\n") ==
          strings{"t.yaml:1:7: 'name' must be a name of letters, digits, '.', '_' or '-', not 'my scenario'",
                  "t.yaml:2:16: a route id must be a name of letters, digits, '.', '_' or '-', not 'a/b'"});
    CHECK(errors_of(R"(
name: dup
routes:
  - id: same
    steps: [{}]
  - id: other
    steps: [{}]
  - id: same
    steps: [{}]
)") == strings{"t.yaml:7:9: duplicate route id 'same' (first declared at line 3); route ids must be unique"});
    CHECK(errors_of("name: a\nname: b\nroutes: [{ id: r, steps: [{}] }]\n") ==
          strings{"t.yaml:2:1: duplicate key 'name' in the scenario (first at line 1)"});
    auto result = load_scenario_text("routes: [{ id: r, steps: [{}] }]\n", "dir/my scenario.yaml", ".");
    CHECK(errors_of(result) ==
          strings{"dir/my scenario.yaml:1:1: the scenario has no 'name' and its file name 'my scenario' is not a "
                  "valid one; add a 'name:' of letters, digits, '.', '_' or '-'"});
}

TEST_CASE("loader: isolate_by errors", "[loader]") {
    auto errors_for = [](std::string_view spec) {
        std::string yaml = "name: x\nroutes: [{ id: r, steps: [{}] }]\nisolate_by: ";
        yaml.append(spec).append("\n");
        return errors_of(yaml);
    };
    CHECK(errors_for("session") ==
          strings{"t.yaml:3:13: 'isolate_by' must be one of: global, header NAME, query NAME, cookie NAME, not "
                  "'session'"});
    CHECK(errors_for("header") == strings{"t.yaml:3:13: 'isolate_by' 'header' needs a name, as in 'header X-Test-Id'"});
    CHECK(errors_for("global X") ==
          strings{"t.yaml:3:13: 'isolate_by' must be one of: global, header NAME, query NAME, cookie NAME, not "
                  "'global X'"});
    CHECK(errors_for("header X(Test)") == strings{"t.yaml:3:13: 'isolate_by': 'X(Test)' is not a valid header name"});
    CHECK(errors_for("query a b") == strings{"t.yaml:3:13: 'isolate_by': 'a b' is not a valid query name"});
}

TEST_CASE("loader: match errors", "[loader]") {
    CHECK(errors_of(R"(
name: m
routes:
  - id: a
    match:
      method: [GET, "BAD METHOD"]
      path: orders
    steps: [{}]
  - id: b
    match: { method: [], path: "/orders/x{id}/{id2}/{id2}/{9x}" }
    steps: [{}]
  - id: c
    match: { path: "/orders?page=1", query: { page: ~ }, headers: { "Bad Name": x } }
    steps: [{}]
)") == strings{
           "t.yaml:5:21: a method must be an HTTP method (a token such as GET) or a list of them, not 'BAD METHOD'",
           "t.yaml:6:13: 'path' must be a path starting with '/', a pattern like /orders/{id}, or ~REGEX, not "
           "'orders'",
           "t.yaml:9:22: 'method' must be an HTTP method (a token such as GET) or a list of them, not a list",
           "t.yaml:9:32: 'path': segment 'x{id}' is not a capture; expected a whole segment {name} with a name of "
           "letters, digits and '_' (not starting with a digit)",
           "t.yaml:9:32: 'path': capture 'id2' appears twice; capture names must be unique",
           "t.yaml:9:32: 'path': segment '{9x}' is not a capture; expected a whole segment {name} with a name of "
           "letters, digits and '_' (not starting with a digit)",
           "t.yaml:12:20: 'path' '/orders?page=1' holds a query or fragment; expected only the path (match query "
           "parameters under 'query')",
           "t.yaml:12:47: 'page' must be a value matcher: exact text, ~REGEX, * (present) or ! (absent), not empty",
           "t.yaml:12:69: 'Bad Name' is not a valid header name; expected a token such as X-Test-Id",
       });
    CHECK(errors_of(R"(
name: m
routes:
  - id: a
    match: { body: { contains: x, regex: y } }
    steps: [{}]
  - id: b
    match: { body: {} }
    steps: [{}]
)") == strings{"t.yaml:4:35: 'match.body' takes exactly one of: contains, equals, regex, json; it already has "
               "'contains'",
               "t.yaml:7:20: 'body' must be a mapping with exactly one of: contains, equals, regex, json, not a "
               "mapping"});
}

TEST_CASE("loader: invalid regexes are errors with their position", "[loader]") {
    auto result = load(R"(
name: re
routes:
  - id: a
    match:
      path: "~/orders/(["
      query: { q: "~a{2,1}" }
      headers: { Accept: "~" }
      body: { regex: "(" }
    steps: [{}]
)");
    auto errors = errors_of(result);
    REQUIRE(errors.size() == 4);
    CHECK_THAT(errors[0], Catch::StartsWith("t.yaml:5:13: 'path' has an invalid regular expression '/orders/([' ("));
    CHECK_THAT(errors[0], Catch::EndsWith("); expected RE2 syntax (Go's regexp)"));
    CHECK_THAT(errors[1], Catch::StartsWith("t.yaml:6:19: 'q' has an invalid regular expression 'a{2,1}' ("));
    CHECK(errors[2] == "t.yaml:7:26: 'Accept' must be a non-empty regular expression, not '~'");
    CHECK_THAT(errors[3], Catch::StartsWith("t.yaml:8:22: 'regex' has an invalid regular expression '(' ("));
}

// fuzz/regressions/scenario_loader/regex-count-*.yaml: libstdc++ read these numbers into a long
// without an overflow check (UB). RE2 reads a brace whose count does not fit as literal text,
// refuses a count above 1000, and has no back-references; the ASan+UBSan stage of CI runs this test.
TEST_CASE("loader: repetition counts and back-references past int load without UB", "[loader]") {
    auto scenario_with = [](const std::string& pattern) {
        return "name: re\nroutes:\n  - id: a\n    match: { headers: { X-Count: \"~^" + pattern +
               "$\" } }\n    steps: [{}]\n";
    };
    auto matches = [&](const std::string& pattern, const std::string& value) {
        auto result = load(scenario_with(pattern));
        REQUIRE(result.ok());
        teapot::detail::request req;
        req.method = "GET";
        req.target = "/";
        req.headers = {{"X-Count", value}};
        return match(result.scenarios.at(0).routes.at(0).match, req).matched;
    };
    CHECK(matches("a{88888888888888888888}", "a{88888888888888888888}"));
    CHECK_FALSE(matches("a{88888888888888888888}", "aaaa"));
    CHECK(matches("a{1,8888888888}", "a{1,8888888888}"));
    CHECK_FALSE(matches("a{1,8888888888}", "aaaa"));
    CHECK_THAT(errors_of(scenario_with("a{1,1001}")).at(0), Catch::Contains("invalid repetition size: {1,1001}"));
    auto errors = errors_of(scenario_with("a\\\\8888888888"));
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::Contains("\\8 is a backreference, which RE2 does not support"));
}

// fuzz/regressions/request/body-regex-50k: std::regex's default executor recursed once per
// character, and a 100 KB body against this route overflowed the stack and killed the server;
// RE2 does not recurse.
TEST_CASE("loader: its regexes match a 1 MiB body and a 64 KiB header value without overflowing the stack",
          "[loader]") {
    auto result = load(R"(
name: re
routes:
  - id: upload
    match: { path: "~^/up[a-z]*$", headers: { X-Long: "~^a+$" }, body: { regex: "^[a-z]+$" } }
    steps: [{}]
)");
    REQUIRE(result.ok());
    const std::string body(1024 * 1024, 'a');
    const std::string value(64 * 1024, 'a');
    teapot::detail::request req;
    req.method = "PUT";
    req.target = "/upload";
    req.headers = {{"X-Long", value}};
    req.body = body;
    CHECK(match(result.scenarios.at(0).routes.at(0).match, req).matched);
}

// fuzz/regressions/scenario_loader/regex-8000-nested-groups.yaml: libstdc++ compiles a regex
// by recursion, and a long pattern overflowed the stack of the thread loading it.
TEST_CASE("loader: a regular expression is at most 4096 bytes", "[loader]") {
    auto scenario_with = [](const std::string& pattern) {
        return "name: re\nroutes:\n  - id: a\n    match: { path: \"~" + pattern + "\" }\n    steps: [{}]\n";
    };
    // RE2 parses without recursion: nesting as deep as the bound allows loads.
    CHECK(load(scenario_with(std::string(2048, '(') + std::string(2048, ')'))).ok());
    CHECK(errors_of(scenario_with(std::string(4097, 'a'))) ==
          strings{"t.yaml:4:20: 'path' has a regular expression of 4097 bytes; expected at most 4096"});
    CHECK(errors_of(scenario_with(std::string(50'000, '(') + std::string(50'000, ')'))) ==
          strings{"t.yaml:4:20: 'path' has a regular expression of 100000 bytes; expected at most 4096"});
}

// RE2 (issue 13, finding 4) has no backtracking, and so none of the forms that need it: each
// is a load error that names the form and says what to write instead.
TEST_CASE("loader: regex forms RE2 does not have are load errors that say what to write instead", "[loader]") {
    auto error_for = [](const std::string& pattern) {
        auto errors =
            errors_of("name: re\nroutes:\n  - id: a\n    match: { path: '~" + pattern + "' }\n    steps: [{}]\n");
        REQUIRE(errors.size() == 1);
        CHECK_THAT(errors[0], Catch::StartsWith("t.yaml:4:20: 'path' has a regular expression RE2 cannot run, '" +
                                                pattern + "': "));
        return errors[0];
    };
    CHECK_THAT(error_for("/(a|b)\\1"),
               Catch::Contains("\\1 is a backreference, which RE2 does not support (it never "
                               "backtracks); write the repeated text out (for (a|b)\\1: aa|bb)"));
    CHECK_THAT(error_for("/(?P<x>a)\\k<x>"), Catch::Contains("\\k is a backreference"));
    CHECK_THAT(error_for("/(?=admin)\\w+"), Catch::Contains("(?= is a lookahead, which RE2 does not support"));
    CHECK_THAT(error_for("/(?!admin)\\w+"), Catch::Contains("test it with a second matcher"));
    CHECK_THAT(error_for("/\\w+(?<=n)"), Catch::Contains("(?< is a lookbehind"));
    CHECK_THAT(error_for("/(?<!x)a"), Catch::Contains("(?< is a lookbehind"));
    CHECK_THAT(error_for("/(?<id>[0-9]+)"), Catch::Contains("write (?P<name>...) or (?:...)"));
    CHECK_THAT(error_for("/a*+"), Catch::Contains("*+ is a possessive quantifier"));
    CHECK_THAT(
        error_for("/a{2}+"),
        Catch::Contains(
            "{2}+ is a possessive quantifier, which RE2 does not support (it never backtracks); drop the last + ("));
    CHECK_THAT(error_for("/(?>a|ab)c"), Catch::Contains("(?> is an atomic group"));
    CHECK_THAT(error_for("/a\\Z"), Catch::Contains("write \\z (end of text)"));
    CHECK_THAT(error_for("/(?(1)a|b)"), Catch::Contains("is a conditional"));
    CHECK_THAT(error_for("/(a(?R)?b)"), Catch::Contains("is a recursion"));
    // Plain mistakes stay RE2's own words.
    CHECK_THAT(errors_of("name: re\nroutes:\n  - id: a\n    match: { path: '~/a**' }\n    steps: [{}]\n").at(0),
               Catch::Contains("has an invalid regular expression '/a**' (bad repetition operator: **)"));
}

// The program RE2 builds bounds a match's work per subject byte (docs/scenarios.md): a large
// one is a load error, whether teapot's bound or RE2's memory bound refuses it first.
TEST_CASE("loader: a regex that compiles to more than 5000 RE2 instructions is a load error", "[loader]") {
    auto scenario_with = [](const std::string& pattern) {
        return "name: re\nroutes:\n  - id: a\n    match: { body: { regex: '" + pattern + "' } }\n    steps: [{}]\n";
    };
    CHECK(load(scenario_with("[ab]{1000}[ab]{1000}[ab]{1000}[ab]{1000}[ab]{990}")).ok());
    auto errors = errors_of(scenario_with("[ab]{1000}[ab]{1000}[ab]{1000}[ab]{1000}[ab]{1000}x"));
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] ==
          "t.yaml:4:29: 'regex' has a regular expression too large to match in bounded time, "
          "'[ab]{1000}[ab]{1000}[ab]{1000}[ab]{1000}[ab]{1000}x': it compiles to 5005 RE2 instructions, more than "
          "5000; write smaller counted repetitions or fewer alternatives");
    std::string huge;
    for (int i = 0; i < 100; ++i) huge += "[ab]{1000}";
    CHECK_THAT(errors_of(scenario_with(huge)).at(0),
               Catch::Contains("it compiles to more than RE2's memory bound for one regex"));
}

// RE2's syntax (Go's) over bytes: `.` is any byte but \n, ^ and $ are the ends of the text
// unless (?m), a path matches whole and a value or body anywhere.
TEST_CASE("loader: regexes match bytes with RE2's syntax, a path whole and values and bodies anywhere", "[loader]") {
    auto result = load(R"(
name: re
routes:
  - id: a
    match:
      path: "~/items/[0-9]+"
      headers: { X-Raw: "~^x.y$" }
      query: { q: "~(?i)abc" }
      body: { regex: "(?m)^end$" }
    steps: [{}]
)");
    REQUIRE(result.ok());
    const auto& m = result.scenarios.at(0).routes.at(0).match;
    auto request_with = [](std::string target, std::string raw, std::string body) {
        teapot::detail::request req;
        req.method = "POST";
        req.target = std::move(target);
        req.headers = {{"X-Raw", std::move(raw)}};
        req.body = std::move(body);
        return req;
    };
    CHECK(match(m, request_with("/items/12?q=xABCx", "x\xffy", "first\nend\nlast")).matched);
    // The path is matched whole, so no ^ and $ are needed.
    CHECK(match(m, request_with("/v1/items/12?q=abc", "x.y", "end")).reason ==
          "path /v1/items/12 does not match ~/items/[0-9]+");
    CHECK(match(m, request_with("/items/12?q=abc", "x\ny", "end")).reason ==
          "header X-Raw \"x\ny\" does not match ~^x.y$");
    CHECK(match(m, request_with("/items/12?q=abc", "x..y", "end")).reason ==
          "header X-Raw \"x..y\" does not match ~^x.y$");
    CHECK(match(m, request_with("/items/12?q=abc", "x-y", "the end")).reason == "body does not match ~(?m)^end$");
}

TEST_CASE("loader: step value errors", "[loader]") {
    CHECK(errors_of(R"(
name: st
routes:
  - id: a
    steps:
      - status: 600
        reason: "Bad\u0001Reason"
        headers: { "Bad Name": x, Content-Length: "5", transfer-encoding: chunked, X-Ok: "a\nb" }
        delay: 5 seconds
        interim: [100, 101, 200, 103, x]
      - status: "20"
        delay: 25h
        set_state: ""
      - status: 444
        times: forever
      - status: 200
    then: sometimes
)") == strings{
           "t.yaml:5:17: 'status' must be a three-digit status code from 100 to 599, not '600'",
           "t.yaml:6:17: 'reason' must be a reason phrase (visible characters and spaces), not 'Bad\x01Reason'",
           "t.yaml:7:20: 'Bad Name' is not a valid header name; expected a token such as Retry-After",
           "t.yaml:7:35: header 'Content-Length' decides the message framing and is set by teapot; expected any "
           "other header",
           "t.yaml:7:56: header 'transfer-encoding' decides the message framing and is set by teapot; expected any "
           "other header",
           "t.yaml:7:90: header 'X-Ok' must be a header value (visible characters and inner spaces, no line "
           "breaks), not 'a\nb'",
           "t.yaml:8:16: 'delay' must be a duration such as 250ms, or {uniform: [100ms, 300ms]}, or "
           "{lognormal: {median: 80ms, sigma: 0.4, max: 2s}}, not '5 seconds'",
           "t.yaml:9:24: an interim code must be a 1xx status code other than 101, not '101'",
           "t.yaml:9:29: an interim code must be a 1xx status code other than 101, not '200'",
           "t.yaml:9:39: an interim code must be a 1xx status code other than 101, not 'x'",
           "t.yaml:10:17: 'status' must be a three-digit status code from 100 to 599, not '20'",
           "t.yaml:11:16: 'delay' must be a duration such as 250ms, or {uniform: [100ms, 300ms]}, or "
           "{lognormal: {median: 80ms, sigma: 0.4, max: 2s}}, not '25h'",
           "t.yaml:12:20: 'set_state' must be a non-empty string, not ''",
           "t.yaml:15:9: this step is never reached: the step before it has 'times: forever'; expected 'times: "
           "forever' on the last step only",
           "t.yaml:16:11: 'then' must be one of: repeat-last, loop, pass, fail, not 'sometimes'",
       });
}

TEST_CASE("loader: a step takes at most one of body, json, body_file", "[loader]") {
    temp_dir dir;
    dir.write("b.txt", "x");
    CHECK(errors_of(R"(
name: one-body
routes:
  - id: a
    steps:
      - body: x
        json: { a: 1 }
        body_file: b.txt
)",
                    dir.path()) ==
          strings{"t.yaml:6:9: a step takes at most one of body, json, body_file; it already has 'body'",
                  "t.yaml:7:9: a step takes at most one of body, json, body_file; it already has 'body'"});
}

TEST_CASE("loader: json values JSON cannot hold are errors", "[loader]") {
    CHECK(errors_of(R"(
name: j
routes:
  - id: a
    match: { body: { json: { n: .inf, m: 99999999999999999999999 } } }
    steps:
      - json: { t: !custom x, ? [a]: b, dup: 1, dup: 2 }
)") == strings{"t.yaml:4:33: in 'json': json has no infinity or NaN; quote the value for a string",
               "t.yaml:4:42: in 'json': this integer does not fit in 64 bits; quote it for a string",
               "t.yaml:6:20: in 'json': the YAML tag '!custom' is not supported in json; write the value plainly, or "
               "quote it for a string",
               "t.yaml:6:33: in 'json': a json object key must be a string, not a mapping, sequence or null",
               "t.yaml:6:49: in 'json': duplicate key 'dup' in a json object"});
    // A recursive alias would recurse forever; the resolved tree is measured first, and is endless.
    auto errors = errors_of("name: j\nroutes: [{ id: a, steps: [{ json: &x [*x] }] }]\n");
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::StartsWith("t.yaml:1:1: with its aliases (*name) resolved, this text is more than"));
}

// fuzz/regressions/scenario_loader/alias-bomb-*.yaml: each json value was capped at 100 000
// nodes, but not the file: 2.6 KB of aliases took 700 MB and a second to refuse (13 s under ASan).
TEST_CASE("loader: aliases that resolve to a huge tree are refused before the tree is walked", "[loader]") {
    // 10 aliases of a 2000-byte scalar, 10 of those, ... 100 000 copies: 200 MB of text.
    std::string yaml = "name: laughs\nroutes:\n  - id: a\n    steps:\n      - json: [&s \"" + std::string(2000, 'x') +
                       "\", &l0 [*s, *s, *s, *s, *s, *s, *s, *s, *s, *s]";
    for (int i = 1; i < 5; ++i) {
        const std::string prev = "*l" + std::to_string(i - 1);
        yaml += ", &l" + std::to_string(i) + " [" + prev;
        for (int j = 1; j < 10; ++j) yaml += ", " + prev;
        yaml += "]";
    }
    yaml += "]\n";
    for (int i = 0; i < 20; ++i) yaml += "      - json: *l4\n";
    const auto started = std::chrono::steady_clock::now();
    const std::string refused =
        "t.yaml:1:1: with its aliases (*name) resolved, this text is more than 500000 nodes, 32 MiB of text or 1000 "
        "levels, or endless; expected a scenario that uses aliases sparingly";
    CHECK(errors_of(yaml) == strings{refused});
    CHECK(std::chrono::steady_clock::now() - started < 10s);  // a generous bound: it took a second before
    // A mapping that contains itself is endless (fuzz/regressions/scenario_loader/alias-cycle-in-map.yaml:
    // walking its resolution took 15 s under ASan), and so is a chain of aliases 2000 levels deep.
    CHECK(errors_of("name: c\nroutes:\n  - &r { id: a, steps: [{}], x: *r }\n") == strings{refused});
    std::string chain = "name: c\nroutes: [{ id: a, steps: [{}] }]\nx:\n  - &a0 [z]\n";
    for (int i = 1; i <= 2000; ++i) chain += "  - &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) + "]\n";
    CHECK(errors_of(chain) == strings{refused});
    // The same for verify's rules.
    CHECK_FALSE(load_expect_rules("- &r { route: a, count: 1 }\n- &l [*r, *r, *r, *r, *r, *r, *r, *r, *r, *r]\n"
                                  "- &m [*l, *l, *l, *l, *l, *l, *l, *l, *l, *l]\n"
                                  "- &n [*m, *m, *m, *m, *m, *m, *m, *m, *m, *m]\n"
                                  "- &o [*n, *n, *n, *n, *n, *n, *n, *n, *n, *n]\n"
                                  "- [*o, *o, *o, *o, *o, *o, *o, *o, *o, *o]\n",
                                  "rules")
                    .ok());
}

TEST_CASE("loader: expect errors", "[loader]") {
    CHECK(errors_of(R"(
name: e
routes: [{ id: r, steps: [{}] }, { id: s, steps: [{}] }]
expect:
  - { route: nope, count: 1 }
  - { count: 1 }
  - { route: r, count: { min: 3, max: 1 } }
  - { route: r, count: { min: 3 } }
  - { route: r, count: many }
  - { order: [r, ghost] }
  - { order: [] }
  - { route: r, order: [r, s] }
  - { no_unmatched: false }
  - { all_steps_used: yes }
  - { route: r, count: 1, honors_retry_after: true }
  - { route: r, honors_retry_after: 1 }
  - just text
  - { tls: true }
  - { route: r, tls: { versoin: TLSv1.3 } }
  - { route: r, tls: { client_certificate: maybe } }
  - { route: r, tls: {} }
  - { route: r, tls: false }
)") == strings{
           "t.yaml:4:14: an expect rule's 'route' names route 'nope', which this scenario does not have; expected "
           "one of: r, s",
           "t.yaml:5:5: an expect rule with 'count' needs a 'route'",
           "t.yaml:6:24: 'count' has 'min' greater than 'max'; expected min <= max",
           "t.yaml:7:24: 'count' as a range needs both 'min' and 'max'",
           "t.yaml:8:24: 'count' must be an unsigned integer or {min: N, max: M}, not 'many'",
           "t.yaml:9:18: an 'order' entry names route 'ghost', which this scenario does not have; expected one "
           "of: r, s",
           "t.yaml:10:14: 'order' must be a non-empty list of route ids, not a list",
           "t.yaml:11:14: 'route' does not apply to an expect rule with 'order'; expected only 'order'",
           "t.yaml:12:21: 'no_unmatched' must be true (leave the rule out to skip this check), not 'false'",
           "t.yaml:13:23: 'all_steps_used' must be true (leave the rule out to skip this check), not 'yes'",
           "t.yaml:14:27: an expect rule checks one thing; this one already has 'count' (write one rule per "
           "entry)",
           "t.yaml:15:37: 'honors_retry_after' must be true (leave the rule out to skip this check), not '1'",
           "t.yaml:16:5: an expect rule must be a mapping with one of: count, honors_retry_after, order, "
           "no_unmatched, all_steps_used, tls, not 'just text'",
           "t.yaml:17:5: an expect rule with 'tls' needs a 'route'",
           "t.yaml:18:24: unknown key 'versoin' in 'tls'; expected one of: server_name, version, cipher, alpn, "
           "client_subject, client_issuer, client_certificate",
           "t.yaml:19:44: 'client_certificate' must be true or false (whether a client certificate was presented), "
           "not 'maybe'",
           "t.yaml:20:22: 'tls' must be the facts to require, such as {version: TLSv1.3, client_certificate: true}, "
           "or true, not a mapping",
           "t.yaml:21:22: 'tls' must be true (leave the rule out to skip this check), not 'false'",
       });
}

TEST_CASE("loader: every error of a file is collected, in file order", "[loader]") {
    auto result = load(R"(
name: many
expect: [{ route: missing, count: 1 }]
routes:
  - id: a
    steps:
      - status: 999
        delay: soon
  - id: a
    steps: []
    then: later
)");
    CHECK(result.scenarios.empty());
    CHECK_FALSE(result.ok());
    CHECK(errors_of(result) ==
          strings{"t.yaml:2:19: an expect rule's 'route' names route 'missing', which this scenario does not have; "
                  "expected one of: a",
                  "t.yaml:6:17: 'status' must be a three-digit status code from 100 to 599, not '999'",
                  "t.yaml:7:16: 'delay' must be a duration such as 250ms, or {uniform: [100ms, 300ms]}, or "
                  "{lognormal: {median: 80ms, sigma: 0.4, max: 2s}}, not 'soon'",
                  "t.yaml:8:9: duplicate route id 'a' (first declared at line 4); route ids must be unique",
                  "t.yaml:9:12: 'steps' must be a non-empty list of steps, not a list",
                  "t.yaml:10:11: 'then' must be one of: repeat-last, loop, pass, fail, not 'later'"});
}

TEST_CASE("loader: body_file is read at load, typed by its extension", "[loader]") {
    temp_dir dir;
    dir.write("scenarios/fixtures/page.html", "<p>hi</p>");
    dir.write("scenarios/fixtures/notes.TXT", "notes");
    dir.write("scenarios/fixtures/feed.xml", "<feed/>");
    dir.write("scenarios/fixtures/blob.bin", std::string{"\0\x01\x02", 3});
    dir.write("scenarios/fixtures/data.json", "[1]");
    dir.write("scenarios/noext", "raw");
    auto file = dir.write("scenarios/files.yaml", trim_first_newline(R"(
routes:
  - id: r
    steps:
      - body_file: fixtures/page.html
      - body_file: fixtures/notes.TXT
      - body_file: fixtures/feed.xml
      - body_file: fixtures/blob.bin
      - body_file: ./fixtures/../fixtures/data.json
      - body_file: noext
)"));
    auto result = load_scenario_paths({file.string()});
    REQUIRE(errors_of(result) == strings{});
    const auto& steps = result.scenarios.at(0).routes.at(0).steps;
    REQUIRE(steps.size() == 6);
    CHECK(steps[0].body == std::optional<std::string>{"<p>hi</p>"});
    CHECK(steps[0].content_type == std::optional<std::string>{"text/html; charset=utf-8"});
    CHECK(steps[1].content_type == std::optional<std::string>{"text/plain; charset=utf-8"});
    CHECK(steps[2].content_type == std::optional<std::string>{"application/xml"});
    CHECK(steps[3].body == std::optional<std::string>{std::string{"\0\x01\x02", 3}});
    CHECK(steps[3].content_type == std::optional<std::string>{"application/octet-stream"});
    CHECK(steps[4].body == std::optional<std::string>{"[1]"});
    CHECK(steps[4].content_type == std::optional<std::string>{"application/json"});
    CHECK(steps[5].body == std::optional<std::string>{"raw"});
    CHECK(steps[5].content_type == std::optional<std::string>{"application/octet-stream"});
}

TEST_CASE("loader: body_file may not escape the scenario's directory", "[loader]") {
    temp_dir dir;
    dir.write("secret.txt", "secret");
    dir.write("scenarios/inside.txt", "inside");
    fs::create_directories(dir.path() / "scenarios" / "sub");
    fs::create_symlink(dir.path() / "secret.txt", dir.path() / "scenarios" / "link.txt");
    fs::create_directory_symlink(dir.path(), dir.path() / "scenarios" / "up");
    fs::create_symlink("inside.txt", dir.path() / "scenarios" / "good-link.txt");
    // Absolute, though it points inside: openat2's RESOLVE_BENEATH refuses every absolute symlink.
    fs::create_symlink(dir.path() / "scenarios" / "inside.txt", dir.path() / "scenarios" / "absolute-link.txt");
    const fs::path base = dir.path() / "scenarios";
    const std::string canonical_secret = fs::canonical(dir.path() / "secret.txt").string();
    const std::string absolute_secret = (dir.path() / "secret.txt").string();

    std::string yaml = "name: esc\nroutes:\n  - id: r\n    steps:\n";
    const strings paths{"../secret.txt",
                        "sub/../../secret.txt",
                        absolute_secret,
                        "link.txt",
                        "up/secret.txt",
                        "missing.txt",
                        "sub",
                        "good-link.txt",
                        "",
                        "absolute-link.txt"};
    for (const auto& path : paths) yaml.append("      - body_file: '").append(path).append("'\n");
    auto result = load_scenario_text(yaml, "t.yaml", base);
    auto outside = [&](std::string_view given) {
        std::string message = "'body_file' '";
        message.append(given).append("' leads outside the scenario file's directory (to ");
        message.append(canonical_secret).append("); body files must stay inside it");
        return message;
    };
    CHECK(errors_of(result) ==
          strings{
              "t.yaml:5:20: " + outside("../secret.txt"),
              "t.yaml:6:20: " + outside("sub/../../secret.txt"),
              "t.yaml:7:20: 'body_file' must be a path relative to the scenario file's directory, not an absolute path "
              "like '" +
                  absolute_secret + "'",
              "t.yaml:8:20: " + outside("link.txt"),
              "t.yaml:9:20: " + outside("up/secret.txt"),
              "t.yaml:10:20: cannot read 'body_file' 'missing.txt': no such file",
              "t.yaml:11:20: cannot read 'body_file' 'sub': not a regular file",
              "t.yaml:13:20: 'body_file' must name a file relative to the scenario file's directory, not be empty",
              "t.yaml:14:20: 'body_file' 'absolute-link.txt' leaves the scenario file's directory on its way "
              "(through an absolute symlink, or a link out and back in); body files must stay inside it, and only "
              "relative symlinks that stay inside are followed",
          });
    // A relative symlink that stays inside is followed; the type comes from the name written.
    auto good = load_scenario_text(
        "name: g\nroutes: [{ id: r, steps: [{ body_file: good-link.txt }, { body_file: sub/../inside.txt }] }]\n",
        "t.yaml", base);
    REQUIRE(errors_of(good) == strings{});
    CHECK(good.scenarios.at(0).routes.at(0).steps.at(0).body == std::optional<std::string>{"inside"});
    CHECK(good.scenarios.at(0).routes.at(0).steps.at(1).body == std::optional<std::string>{"inside"});
}

TEST_CASE("loader: body_file through a chain of symlinks, a dangling one, or out and back in", "[loader]") {
    temp_dir dir;
    dir.write("secret.txt", "secret");
    dir.write("scenarios/inside.txt", "inside");
    const fs::path base = dir.path() / "scenarios";
    // hop1 -> hop2 -> ../secret.txt: each link relative, the last one leads out.
    fs::create_symlink("hop2.txt", base / "hop1.txt");
    fs::create_symlink("../secret.txt", base / "hop2.txt");
    // A link to a file outside that does not exist (yet): never followed out.
    fs::create_symlink(dir.path() / "later.txt", base / "dangling.txt");
    // Out through a directory link and back in: refused, though the file itself is inside.
    fs::create_directory_symlink(dir.path(), base / "up");
    fs::create_symlink("../scenarios/inside.txt", base / "out-and-in.txt");
    const std::string canonical_secret = fs::canonical(dir.path() / "secret.txt").string();
    const std::string on_its_way =
        "leaves the scenario file's directory on its way (through an absolute symlink, or a link out and back in)";

    auto result = load_scenario_text(
        "name: links\nroutes:\n  - id: r\n    steps:\n      - body_file: hop1.txt\n      - body_file: dangling.txt\n"
        "      - body_file: up/scenarios/inside.txt\n      - body_file: out-and-in.txt\n",
        "t.yaml", base);
    const auto errors = errors_of(result);
    REQUIRE(errors.size() == 4);
    CHECK(errors[0] == "t.yaml:5:20: 'body_file' 'hop1.txt' leads outside the scenario file's directory (to " +
                           canonical_secret + "); body files must stay inside it");
    CHECK_THAT(errors[1], Catch::StartsWith("t.yaml:6:20: 'body_file' 'dangling.txt' " + on_its_way));
    CHECK_THAT(errors[2], Catch::StartsWith("t.yaml:7:20: 'body_file' 'up/scenarios/inside.txt' " + on_its_way));
    CHECK_THAT(errors[3], Catch::StartsWith("t.yaml:8:20: 'body_file' 'out-and-in.txt' " + on_its_way));
    // Created now, the dangling link's target is outside: refused like any other.
    dir.write("later.txt", "later");
    auto again =
        load_scenario_text("name: links\nroutes: [{ id: r, steps: [{ body_file: dangling.txt }] }]\n", "t.yaml", base);
    REQUIRE(errors_of(again).size() == 1);
    CHECK_THAT(errors_of(again)[0], Catch::Contains("leads outside the scenario file's directory"));
}

TEST_CASE("body_file: opened through descriptors, openat2 or the walk, the cap applied", "[loader]") {
    temp_dir dir;
    dir.write("secret.txt", "secret");
    dir.write("scenarios/inside.txt", "inside");
    dir.write("scenarios/sub/deeper.txt", "deeper");
    const fs::path base = dir.path() / "scenarios";
    fs::create_symlink("inside.txt", base / "relative-link.txt");
    fs::create_symlink("../secret.txt", base / "out.txt");
    REQUIRE(::mkfifo((base / "fifo").c_str(), 0600) == 0);
    std::string error;
    auto read = [&](std::string_view rel, body_file_resolver how) {
        error.clear();
        return read_body_file(base, rel, error, how);
    };
    for (auto how : {body_file_resolver::automatic, body_file_resolver::walk}) {
        INFO((how == body_file_resolver::walk ? "walk" : "automatic"));
        auto plain = read("sub/deeper.txt", how);
        REQUIRE(plain);
        CHECK(plain->body == "deeper");
        CHECK(plain->content_type == "text/plain; charset=utf-8");
        auto dotted = read("./sub/../sub//deeper.txt", how);
        REQUIRE(dotted);
        CHECK(dotted->body == "deeper");
        CHECK_FALSE(read("../secret.txt", how));
        CHECK_THAT(error, Catch::Contains("leads outside the scenario file's directory"));
        CHECK_FALSE(read("sub/../../secret.txt", how));
        CHECK_THAT(error, Catch::Contains("leads outside the scenario file's directory"));
        // A FIFO would block an open without O_NONBLOCK; it is refused at once.
        CHECK_FALSE(read("fifo", how));
        CHECK(error == "cannot read 'body_file' 'fifo': not a regular file");
        CHECK_FALSE(read("sub", how));
        CHECK(error == "cannot read 'body_file' 'sub': not a regular file");
        CHECK_FALSE(read("sub/..", how));
        CHECK(error == "cannot read 'body_file' 'sub/..': not a regular file");
        CHECK_FALSE(read("inside.txt/x", how));
        CHECK(error == "cannot read 'body_file' 'inside.txt/x': a part of its path is not a directory");
    }
    // openat2 follows a relative symlink that stays inside; the walk follows none.
    auto followed = read("relative-link.txt", body_file_resolver::automatic);
    REQUIRE(followed);
    CHECK(followed->body == "inside");
    CHECK_FALSE(read("relative-link.txt", body_file_resolver::walk));
    CHECK_THAT(error, Catch::StartsWith("'body_file' 'relative-link.txt' goes through a symlink, and symlinks are not "
                                        "followed on this system (openat2"));
    fs::create_directory_symlink("sub", base / "sub-link");
    CHECK(read("sub-link/deeper.txt", body_file_resolver::automatic));
    CHECK_FALSE(read("sub-link/deeper.txt", body_file_resolver::walk));
    CHECK_THAT(error, Catch::StartsWith("'body_file' 'sub-link/deeper.txt' goes through a symlink"));
    CHECK_FALSE(read("out.txt", body_file_resolver::walk));
    CHECK_THAT(error, Catch::Contains("goes through a symlink"));
    CHECK_FALSE(read("out.txt", body_file_resolver::automatic));
    CHECK_THAT(error, Catch::Contains("leads outside the scenario file's directory"));

    // The cap: 64 MiB is read (a sparse file: no disk), one byte more is refused.
    fs::resize_file(dir.write("scenarios/cap.bin", ""), max_body_file_size);
    auto at_cap = read("cap.bin", body_file_resolver::automatic);
    REQUIRE(at_cap);
    CHECK(at_cap->body.size() == max_body_file_size);
    CHECK(at_cap->content_type == "application/octet-stream");
    at_cap.reset();
    fs::resize_file(base / "cap.bin", max_body_file_size + 1);
    CHECK_FALSE(read("cap.bin", body_file_resolver::automatic));
    CHECK(error == "'body_file' 'cap.bin' is larger than the 64 MiB limit for body files");
}

TEST_CASE("loader: directories load *.yaml and *.yml in name order, sorted by scenario name", "[loader]") {
    temp_dir dir;
    const std::string route = "routes: [{ id: r, steps: [{}] }]\n";
    dir.write("d/b.yaml", "name: zeta\n" + route);
    dir.write("d/a.yml", "name: alpha\n" + route);
    dir.write("d/c.yaml", route);
    dir.write("d/notes.txt", "not a scenario");
    dir.write("d/nested/x.yaml", "not even: [valid");
    auto single = dir.write("single.yaml", "name: middle\n" + route);

    auto result = load_scenario_paths({(dir.path() / "d").string(), single.string()});
    REQUIRE(errors_of(result) == strings{});
    REQUIRE(result.scenarios.size() == 4);
    CHECK(result.scenarios[0].name == "alpha");
    CHECK(result.scenarios[1].name == "c");
    CHECK(result.scenarios[2].name == "middle");
    CHECK(result.scenarios[3].name == "zeta");
    CHECK(result.scenarios[0].file == (dir.path() / "d" / "a.yml").string());

    // Naming a file and its directory loads it once.
    auto twice = load_scenario_paths({(dir.path() / "d").string(), (dir.path() / "d" / "a.yml").string()});
    CHECK(errors_of(twice) == strings{});
    CHECK(twice.scenarios.size() == 3);
}

TEST_CASE("loader: duplicate scenario names across files name both files", "[loader]") {
    temp_dir dir;
    const std::string route = "routes: [{ id: r, steps: [{}] }]\n";
    auto first = dir.write("d/a.yaml", "name: orders\n" + route);
    auto second = dir.write("d/b.yaml", "# the same name again\nname: orders\n" + route);
    auto by_stem = dir.write("e/orders.yaml", route);
    auto result = load_scenario_paths({(dir.path() / "d").string(), by_stem.string()});
    CHECK(result.scenarios.empty());
    CHECK(errors_of(result) == strings{second.string() + ":2:7: scenario name 'orders' is already used by " +
                                           first.string() + "; expected a name unique across all scenario files",
                                       by_stem.string() + ":1:1: scenario name 'orders' is already used by " +
                                           first.string() + "; expected a name unique across all scenario files"});
}

TEST_CASE("loader: missing paths and broken files fail the whole load", "[loader]") {
    temp_dir dir;
    auto good = dir.write("good.yaml", "routes: [{ id: r, steps: [{}] }]\n");
    auto bad = dir.write("bad.yaml", "routes: [{ id: r, steps: [{ status: 9 }] }]\n");
    const std::string missing = (dir.path() / "missing.yaml").string();
    auto result = load_scenario_paths({good.string(), missing, bad.string()});
    CHECK(result.scenarios.empty());
    CHECK(errors_of(result) ==
          strings{missing + ": no such file or directory; expected a scenario file or a directory of *.yaml and *.yml "
                            "files",
                  bad.string() + ":1:37: 'status' must be a three-digit status code from 100 to 599, not '9'"});
}

// ---------------------------------------------------------------- one_of and limit

TEST_CASE("loader: one_of alternatives inherit their step's keys and carry weights", "[loader][one_of]") {
    auto result = load(R"(
name: weighted
seed: 7
routes:
  - id: flaky
    steps:
      - headers: { X-Shared: s, X-Over: step }
        delay: 10ms
        times: 5
        one_of:
          - { status: 200, json: { ok: true }, weight: 80 }
          - status: 503
            headers: { x-over: alt, Retry-After: "2" }
            weight: 0.5
            set_state: broken
          - reason: Fine
      - status: 204
)");
    INFO(errors_of(result).size());
    REQUIRE(result.ok());
    const auto& st = result.scenarios.at(0).routes.at(0).steps.at(0);
    CHECK(st.times == 5u);
    REQUIRE(st.one_of.size() == 3);
    const auto& a = st.one_of[0];
    CHECK(a.weight == 80.0);
    CHECK(a.answer.status == 200);
    CHECK(a.answer.body == R"({"ok":true})"
                           "\n");
    CHECK(a.answer.content_type == "application/json");
    CHECK(a.answer.delay == 10ms);
    CHECK(a.answer.times == 1u);
    CHECK(a.answer.one_of.empty());
    CHECK(a.answer.where.line == 10);
    REQUIRE(a.answer.headers.size() == 2);
    CHECK(a.answer.headers[0].name == "X-Shared");
    CHECK(a.answer.headers[1].value == "step");
    const auto& b = st.one_of[1];
    CHECK(b.weight == 0.5);
    CHECK(b.answer.status == 503);
    CHECK(b.answer.set_state == "broken");
    // The alternative's header replaces the step's of the same name, case-insensitively.
    REQUIRE(b.answer.headers.size() == 3);
    CHECK(b.answer.headers[0].name == "X-Shared");
    CHECK(b.answer.headers[1].name == "x-over");
    CHECK(b.answer.headers[1].value == "alt");
    CHECK(b.answer.headers[2].name == "Retry-After");
    const auto& c = st.one_of[2];
    CHECK(c.weight == 1.0);  // the default
    CHECK(c.answer.status == 200);
    CHECK(c.answer.reason == "Fine");
    CHECK_FALSE(c.answer.set_state);
    CHECK(result.scenarios[0].routes[0].steps[1].one_of.empty());
}

TEST_CASE("loader: a body on the one_of step is shared by every alternative", "[loader][one_of]") {
    auto result = load(R"(
name: shared-body
routes:
  - id: r
    steps:
      - json: { a: 1 }
        one_of: [{ status: 200 }, { status: 500, weight: 2 }]
)");
    REQUIRE(result.ok());
    const auto& alts = result.scenarios.at(0).routes.at(0).steps.at(0).one_of;
    REQUIRE(alts.size() == 2);
    for (const auto& alt : alts) {
        CHECK(alt.answer.body == R"({"a":1})"
                                 "\n");
        CHECK(alt.answer.content_type == "application/json");
    }
    CHECK(alts[1].weight == 2.0);
}

TEST_CASE("loader: one_of errors point at their line and column", "[loader][one_of]") {
    CHECK(errors_of(R"(
name: bad-one-of
routes:
  - id: r
    steps:
      - one_of:
          - status: 200
            times: 2
          - one_of: [{ status: 500 }]
          - { weight: 0 }
          - { weight: -1 }
          - { weight: heavy }
          - { weight: 1e7 }
          - { weight: .inf }
          - "200"
      - weight: 3
        limit: { requests: 1, per: 1s }
      - one_of: []
      - one_of: { status: 200 }
      - body: shared
        one_of:
          - { status: 200, json: { a: 1 } }
          - { body_file: x.txt }
          - { status: 500 }
)") == strings{
           "t.yaml:7:13: 'times' is not allowed in an alternative of 'one_of': the step holding 'one_of' counts "
           "the requests; expected 'times' on that step",
           "t.yaml:8:13: 'one_of' cannot nest: an alternative of 'one_of' is a plain step with a 'weight'",
           "t.yaml:9:23: 'weight' must be a positive number (at most 1000000), not '0'",
           "t.yaml:10:23: 'weight' must be a positive number (at most 1000000), not '-1'",
           "t.yaml:11:23: 'weight' must be a positive number (at most 1000000), not 'heavy'",
           "t.yaml:12:23: 'weight' must be a positive number (at most 1000000), not '1e7'",
           "t.yaml:13:23: 'weight' must be a positive number (at most 1000000), not '.inf'",
           "t.yaml:14:13: an alternative of 'one_of' must be a mapping with keys: status, reason, headers, body, "
           "json, body_file, delay, interim, set_state, weight, template, fault, stream, not '200'",
           "t.yaml:15:9: 'weight' belongs to an alternative of 'one_of', not to a step",
           "t.yaml:16:9: 'limit' belongs to a route, not to a step; expected it beside 'steps'",
           "t.yaml:17:17: 'one_of' must be a non-empty list of alternatives (steps with a 'weight'), not a list",
           "t.yaml:18:17: 'one_of' must be a non-empty list of alternatives (steps with a 'weight'), not a "
           "mapping",
           "t.yaml:21:28: this alternative has 'json' but its step already has 'body'; expected the body on the "
           "step or in the alternatives, not both",
           "t.yaml:22:15: this alternative has 'body_file' but its step already has 'body'; expected the body on "
           "the step or in the alternatives, not both",
       });
}

TEST_CASE("loader: limit on a route, with its defaults", "[loader][limit]") {
    auto result = load(R"(
name: quota
routes:
  - id: plain
    limit: { requests: 3, per: 2s }
    steps: [{ status: 200 }]
  - id: by-key
    limit:
      requests: 10
      per: 500ms
      key: header X-Api-Key
      reject:
        status: 503
        headers: { Retry-After: "7" }
        json: { error: slow down }
        set_state: throttled
    steps: [{ status: 200 }]
)");
    REQUIRE(result.ok());
    const auto& routes = result.scenarios.at(0).routes;
    REQUIRE(routes.at(0).limit);
    const auto& plain = *routes[0].limit;
    CHECK(plain.requests == 3);
    CHECK(plain.per == 2s);
    CHECK(plain.key == route_limit::key_kind::session);
    CHECK(plain.reject.status == 429);  // the default reject: the catalogue's 429
    CHECK_FALSE(plain.reject.body);
    CHECK(plain.reject.headers.empty());
    REQUIRE(routes.at(1).limit);
    const auto& keyed = *routes[1].limit;
    CHECK(keyed.requests == 10);
    CHECK(keyed.per == 500ms);
    CHECK(keyed.key == route_limit::key_kind::header);
    CHECK(keyed.header == "X-Api-Key");
    CHECK(keyed.reject.status == 503);
    CHECK(keyed.reject.body == R"({"error":"slow down"})"
                               "\n");
    CHECK(keyed.reject.set_state == "throttled");
    CHECK(keyed.reject.where.line == 12);
    CHECK_FALSE(routes[0].steps[0].one_of.size());
}

TEST_CASE("loader: limit errors point at their line and column", "[loader][limit]") {
    CHECK(errors_of(R"(
name: bad-limit
routes:
  - id: a
    limit: 3
    steps: [{}]
  - id: b
    limit: { per: 1s }
    steps: [{}]
  - id: c
    limit: { requests: 0, per: 0s, key: cookie x, burst: 2 }
    steps: [{}]
  - id: d
    limit:
      requests: 2
      per: soon
      key: "header Bad Name"
      reject: { status: 429, times: 2, one_of: [{}], weight: 1 }
    steps: [{}]
  - id: e
    limit: { requests: 1, per: 1s, reject: 429 }
    steps: [{}]
)") == strings{
           "t.yaml:4:12: 'limit' must be a mapping with keys: requests, per, key, reject, not '3'",
           "t.yaml:7:12: 'limit' needs 'requests': how many requests a window lets through",
           "t.yaml:10:24: 'requests' must be a positive integer, not '0'",
           "t.yaml:10:32: 'per' must be a positive duration such as 500ms, 2s or 1m (at most 24h), not '0s'",
           "t.yaml:10:41: 'key' must be 'session' or 'header NAME', not 'cookie x'",
           "t.yaml:10:51: unknown key 'burst' in 'limit'; expected one of: requests, per, key, reject",
           "t.yaml:15:12: 'per' must be a positive duration such as 500ms, 2s or 1m (at most 24h), not 'soon'",
           "t.yaml:16:12: 'key' must be 'session' or 'header NAME' with NAME a header name, not 'header Bad Name'",
           "t.yaml:17:30: 'times' does not apply to a limit's 'reject': it answers every request over the quota",
           "t.yaml:17:40: 'one_of' is not supported in a limit's 'reject'; expected a plain step",
           "t.yaml:17:54: 'weight' belongs to an alternative of 'one_of', not to a limit's 'reject'",
           "t.yaml:20:44: 'reject' must be a step: a mapping with keys: status, reason, headers, body, json, "
           "body_file, delay, interim, set_state, template, fault, stream, not '429'",
       });
}

// ---------------------------------------------------------------- templates

TEST_CASE("loader: template: true compiles the body and every header value once", "[loader][template]") {
    auto result = load(R"(
name: tpl
routes:
  - id: r
    steps:
      - template: true
        headers: { X-Id: "{{uuid}}", X-Plain: plain }
        body: "order {{request.path.id}} for {{session}}"
      - json: { id: "{{request.path.id}}", n: 1 }
        template: true
      - body: "{{session}}"
        template: false
      - body: "{{session}}"
      - template: true
        times: 2
        headers: { X-Step: "{{step.index}}" }
        one_of:
          - { weight: 1, body: "a {{uuid}}" }
          - { weight: 1, body: "b", template: false }
    match: { path: "/orders/{id}" }
    limit:
      requests: 1
      per: 1s
      reject: { status: 429, template: true, body: "wait {{limit.retry_after_s}}" }
)");
    REQUIRE(errors_of(result) == strings{});
    const auto& r = result.scenarios.at(0).routes.at(0);
    const auto& steps = r.steps;
    REQUIRE(steps.size() == 5);
    CHECK(steps[0].templated);
    REQUIRE(steps[0].body_template);
    CHECK(steps[0].body_template->source() == "order {{request.path.id}} for {{session}}");
    CHECK(steps[0].body_template->uses_placeholders());
    REQUIRE(steps[0].header_templates.size() == 2);
    CHECK(steps[0].header_templates[0].source() == "{{uuid}}");
    CHECK(steps[0].header_templates[1].source() == "plain");
    CHECK_FALSE(steps[0].header_templates[1].uses_placeholders());
    // json: the serialized text is the template.
    REQUIRE(steps[1].body_template);
    CHECK(steps[1].body_template->source() == R"({"id":"{{request.path.id}}","n":1})"
                                              "\n");
    CHECK(steps[1].body_template->uses_placeholders());
    // template: false, or absent: nothing compiled, the text sent as is.
    for (std::size_t i : {2u, 3u}) {
        CHECK_FALSE(steps[i].templated);
        CHECK_FALSE(steps[i].body_template);
        CHECK(steps[i].body == std::optional<std::string>{"{{session}}"});
    }
    // Alternatives inherit template: true and may switch it off.
    REQUIRE(steps[4].one_of.size() == 2);
    const auto& a = steps[4].one_of[0].answer;
    CHECK(a.templated);
    REQUIRE(a.body_template);
    CHECK(a.body_template->source() == "a {{uuid}}");
    REQUIRE(a.header_templates.size() == 1);
    CHECK(a.header_templates[0].source() == "{{step.index}}");
    const auto& b = steps[4].one_of[1].answer;
    CHECK_FALSE(b.templated);
    CHECK_FALSE(b.body_template);
    CHECK(b.header_templates.empty());
    // A limit's reject too.
    REQUIRE(r.limit);
    CHECK(r.limit->reject.templated);
    REQUIRE(r.limit->reject.body_template);
    CHECK(r.limit->reject.body_template->source() == "wait {{limit.retry_after_s}}");
}

TEST_CASE("loader: template errors point at the placeholder's line and column", "[loader][template]") {
    SECTION("plain, quoted and block scalars") {
        CHECK(errors_of(R"(
name: tpl
routes:
  - id: r
    steps:
      - template: true
        body: Hello {{nobody}}!
      - template: true
        body: |
          line one {{session}}
            line two {{ step.idx }}
      - template: true
        headers: { X-A: "{{session}} {{sesion}}" }
      - template: true
        body: >
          folded {{session}}
          text {{now +1d}}
)") == strings{"t.yaml:6:21: in the template of 'body': unknown placeholder \"nobody\"; " VALID_PLACEHOLDERS,
               "t.yaml:10:22: in the template of 'body': unknown placeholder \"step.idx\"; " VALID_PLACEHOLDERS,
               "t.yaml:12:38: in the template of header 'X-A': unknown placeholder \"sesion\"; " VALID_PLACEHOLDERS,
               "t.yaml:16:16: in the template of 'body': bad offset \"+1d\" in {{now}}: expected a sign and a "
               "duration in whole seconds, like now +30s, now -1m or now +2h (units s, m, h; at most 24h)"});
    }
    SECTION("json: the placeholder inside the mapping") {
        auto errors = errors_of(R"(
name: tpl
routes:
  - id: r
    steps:
      - template: true
        json:
          ok: "{{session}}"
          nested: { list: [1, "x {{ uuid4 }}"] }
)");
        REQUIRE(errors.size() == 1);
        CHECK_THAT(errors[0],
                   Catch::StartsWith("t.yaml:8:34: in the template of 'json': unknown placeholder \"uuid4\""));
    }
    SECTION("an unknown capture names the route's captures") {
        auto errors = errors_of(R"(
name: tpl
routes:
  - id: r
    steps:
      - template: true
        body: "{{request.path.id}} {{request.path.sku}}"
    match: { path: "/orders/{id}/{line}" }
  - id: exact
    match: { path: /orders }
    steps:
      - { template: true, body: "{{request.path.id}}" }
  - id: any
    steps:
      - { template: true, body: "{{request.path.id}}" }
)");
        REQUIRE(errors.size() == 3);
        CHECK_THAT(errors[0], Catch::StartsWith("t.yaml:6:36: in the template of 'body': "));
        CHECK_THAT(errors[0], Catch::Contains("no capture \"sku\""));
        CHECK_THAT(errors[0], Catch::Contains("id, line"));
        CHECK_THAT(errors[1], Catch::StartsWith("t.yaml:11:34: in the template of 'body': "));
        CHECK_THAT(errors[1], Catch::Contains("no {name}"));
        CHECK_THAT(errors[2], Catch::StartsWith("t.yaml:14:34: "));
    }
    SECTION("an inherited body is reported once, at the step") {
        auto errors = errors_of(R"(
name: tpl
routes:
  - id: r
    steps:
      - template: true
        body: "{{bad}}"
        one_of: [{ weight: 1 }, { weight: 2 }]
)");
        CHECK(errors.size() == 1);
        CHECK_THAT(errors.at(0), Catch::StartsWith("t.yaml:6:16: in the template of 'body': unknown placeholder"));
    }
    SECTION("template must be a boolean") {
        CHECK(errors_of(R"(
name: tpl
routes:
  - id: r
    steps:
      - { template: yes please, body: x }
      - { template: [true], body: x }
)") == strings{"t.yaml:5:21: 'template' must be true or false, not 'yes please'",
               "t.yaml:6:21: 'template' must be true or false, not a list"});
    }
}

TEST_CASE("loader: template on a body_file compiles the file's content", "[loader][template]") {
    temp_dir dir;
    dir.write("fixtures/order.json", "{\"id\": \"{{request.path.id}}\"}");
    dir.write("fixtures/broken.txt", "line one\nline {{two}}\n");
    auto good = dir.write("good.yaml", trim_first_newline(R"(
routes:
  - id: r
    match: { path: "/orders/{id}" }
    steps:
      - { template: true, body_file: fixtures/order.json }
      - { body_file: fixtures/order.json }
)"));
    auto result = load_scenario_paths({good.string()});
    REQUIRE(errors_of(result) == strings{});
    const auto& steps = result.scenarios.at(0).routes.at(0).steps;
    REQUIRE(steps[0].body_template);
    CHECK(steps[0].body_template->source() == "{\"id\": \"{{request.path.id}}\"}");
    CHECK(steps[0].content_type == std::optional<std::string>{"application/json"});
    CHECK_FALSE(steps[1].body_template);

    auto bad = dir.write("bad.yaml", trim_first_newline(R"(
routes:
  - id: r
    steps:
      - template: true
        body_file: fixtures/broken.txt
)"));
    auto errors = errors_of(load_scenario_paths({bad.string()}));
    REQUIRE(errors.size() == 1);
    std::string expected = bad.string();
    expected.append(":5:20: in the template of 'body_file' (line 2, column 6 of the file): unknown placeholder");
    CHECK_THAT(errors[0], Catch::StartsWith(expected));
}

TEST_CASE("loader: tls_cases names the TLS cases a scenario needs, each where it is written", "[loader][tls]") {
    auto result = load(R"(
name: upstream
tls_cases: [expired, handshake-hang]
routes: [{ id: r, steps: [{}] }]
)");
    REQUIRE(result.ok());
    const auto& cases = result.scenarios.front().tls_cases;
    REQUIRE(cases.size() == 2);
    CHECK(cases[0].name == "expired");
    CHECK(cases[1].name == "handshake-hang");
    CHECK(cases[1].where.line == 2);
    CHECK(cases[1].where.column == 22);
    CHECK(errors_of(R"(
name: a
tls_cases: expired
routes: [{ id: r, steps: [{}] }]
)") == strings{"t.yaml:2:12: 'tls_cases' must be a non-empty list of TLS case names, such as [expired, "
               "handshake-hang], not 'expired'"});
    CHECK(errors_of(R"(
name: a
tls_cases: [exp ired]
routes: [{ id: r, steps: [{}] }]
)") == strings{"t.yaml:2:13: a 'tls_cases' entry must be a name of letters, digits, '.', '_' or '-', not "
               "'exp ired'"});
}

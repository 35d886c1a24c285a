// Hot reload's carry-over: what a new player takes from the one it replaces
// (player::take_over), and the registry that swaps them under live traffic.

#include <catch2/catch.hpp>

#include "plan/request.hpp"
#include "scenario/loader.hpp"
#include "scenario/player.hpp"
#include "scenario/registry.hpp"
#include "util/byte_size.hpp"

#include <unistd.h>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sc = teapot::detail::scenario;
namespace fs = std::filesystem;
using teapot::detail::request;

namespace {

using header_list = std::vector<std::pair<std::string_view, std::string_view>>;

request get(std::string_view target, header_list headers = {}) {
    request req;
    req.method = "GET";
    req.target = target;
    req.version = 11;
    req.headers = std::move(headers);
    return req;
}

std::vector<sc::scenario> load(const std::string& yaml, const fs::path& dir = fs::temp_directory_path()) {
    auto result = sc::load_scenario_text(yaml, "t.yaml", dir);
    INFO((result.errors.empty() ? std::string{} : result.errors.front().to_string()));
    REQUIRE(result.ok());
    return result.scenarios;
}

// The player a registry would build to replace `previous`: scenarios without a seed keep its draws.
std::unique_ptr<sc::player> successor(const sc::player& previous, const std::string& yaml) {
    sc::player_limits limits;
    limits.seed = previous.default_seed();
    return std::make_unique<sc::player>(load(yaml), limits);
}

int status_of_registry(const sc::registry& reg, std::string_view target) {
    auto r = reg.play(get(target));
    return r.plan ? r.plan->final_head.status : 0;
}

int status(sc::player& p, std::string_view target, header_list headers = {}) {
    auto r = p.play(get(target, std::move(headers)));
    return r.plan ? r.plan->final_head.status : 0;
}

// Two routes with sequences, one of which the second version edits.
const std::string before = R"(name: s
routes:
  - id: kept
    match: { path: /kept }
    steps: [{ status: 201 }, { status: 202 }, { status: 203 }]
  - id: edited
    match: { path: /edited }
    steps: [{ status: 301 }, { status: 302 }]
  - id: dropped
    match: { path: /dropped }
    steps: [{ status: 204 }]
)";

// `kept` is the same route reformatted, with a comment; `edited` has a new step.
const std::string after = R"(name: s
routes:
  # the same route, laid out otherwise
  - id: kept
    match:
      path: /kept
    steps:
      - status: 201
      - status: 202
      - status: 203
  - id: edited
    match: { path: /edited }
    steps: [{ status: 301 }, { status: 303 }]
  - id: fresh
    match: { path: /fresh }
    steps: [{ status: 205 }]
)";

struct scratch_dir {
    fs::path path =
        fs::temp_directory_path() / ("teapot-reload-unit-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    scratch_dir() { fs::create_directories(path); }
    ~scratch_dir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("reload: unchanged routes keep their cursors, changed ones start fresh", "[reload]") {
    sc::player old_player{load(before)};
    CHECK(status(old_player, "/kept") == 201);
    CHECK(status(old_player, "/edited") == 301);

    auto next_ptr = successor(old_player, after);
    auto& next = *next_ptr;
    bool published = false;
    auto changes = next.take_over(old_player, [&] { published = true; });
    CHECK(published);
    CHECK(status(next, "/kept") == 202);    // carried over: the second step is next
    CHECK(status(next, "/edited") == 301);  // changed: from its first step again
    CHECK(status(next, "/fresh") == 205);

    REQUIRE(changes.kept_scenarios.size() == 1);
    CHECK(changes.kept_scenarios[0].changed == std::vector<std::string>{"edited"});
    CHECK(changes.kept_scenarios[0].added == std::vector<std::string>{"fresh"});
    CHECK(changes.kept_scenarios[0].removed == std::vector<std::string>{"dropped"});
    CHECK(changes.to_string() == "s: route edited changed (starts fresh), route fresh added, route dropped removed");
}

TEST_CASE("reload: an identical set carries everything and says nothing changed", "[reload]") {
    sc::player old_player{load(before)};
    CHECK(status(old_player, "/edited") == 301);
    auto next = successor(old_player, before);
    auto changes = next->take_over(old_player, [] {});
    CHECK(status(*next, "/edited") == 302);
    CHECK(changes.to_string() == "no route changed");
}

TEST_CASE("reload: the retired player claims nothing and sends requests on", "[reload]") {
    sc::player old_player{load(before)};
    auto next = successor(old_player, before);
    next->take_over(old_player, [] {});
    auto late = old_player.play(get("/kept"));
    CHECK(late.retired);
    CHECK_FALSE(late.plan);
    CHECK(status(*next, "/kept") == 201);  // the late request consumed nothing
}

TEST_CASE("reload: sessions, named states and quotas carry over", "[reload]") {
    const std::string yaml = R"(name: s
isolate_by: header X-Test
routes:
  - id: start
    match: { path: /start }
    steps: [{ status: 202, set_state: running }]
  - id: poll
    match: { path: /poll }
    when_state: running
    steps: [{ status: 200 }]
  - id: limited
    match: { path: /limited }
    limit: { requests: 1, per: 1h }
    steps: [{ status: 200, times: forever }]
)";
    sc::player old_player{load(yaml)};
    CHECK(status(old_player, "/start", {{"X-Test", "a"}}) == 202);
    CHECK(status(old_player, "/limited", {{"X-Test", "a"}}) == 200);

    auto next = successor(old_player, yaml);
    next->take_over(old_player, [] {});
    CHECK(status(*next, "/poll", {{"X-Test", "a"}}) == 200);     // state running kept
    CHECK(status(*next, "/poll", {{"X-Test", "b"}}) == 0);       // another session never started
    CHECK(status(*next, "/limited", {{"X-Test", "a"}}) == 429);  // the window stays spent
    CHECK(status(*next, "/limited", {{"X-Test", "b"}}) == 200);
}

TEST_CASE("reload: a new isolate_by drops every session", "[reload]") {
    const std::string yaml = R"(name: s
isolate_by: header X-Test
routes:
  - id: r
    match: { path: /r }
    steps: [{ status: 201 }, { status: 202 }]
)";
    sc::player old_player{load(yaml)};
    CHECK(status(old_player, "/r", {{"X-Test", "a"}}) == 201);
    auto edited = yaml;
    edited.replace(edited.find("header X-Test"), 13, "header X-Other");
    auto next = successor(old_player, edited);
    auto changes = next->take_over(old_player, [] {});
    CHECK(status(*next, "/r", {{"X-Other", "a"}}) == 201);
    CHECK(changes.to_string() == "s: isolate_by changed, every session starts fresh");
}

TEST_CASE("reload: added and removed scenarios are named", "[reload]") {
    sc::player old_player{load("name: a\nroutes: [{ id: r, steps: [{}] }]\n")};
    auto next = successor(old_player, "name: b\nroutes: [{ id: r, steps: [{}] }]\n");
    CHECK(next->take_over(old_player, [] {}).to_string() == "scenario b added; scenario a removed");
}

TEST_CASE("reload: unseeded random streams continue where they were", "[reload][one_of]") {
    const std::string yaml = R"(name: s
routes:
  - id: r
    steps:
      - times: forever
        one_of: [{ status: 200 }, { status: 201 }, { status: 202 }, { status: 203 }]
)";
    sc::player first{load(yaml)};
    std::vector<int> drawn;
    for (int i = 0; i < 20; ++i) drawn.push_back(status(first, "/"));

    auto second = successor(first, yaml);
    second->take_over(first, [] {});
    for (int i = 0; i < 20; ++i) drawn.push_back(status(*second, "/"));

    sc::player_limits limits;
    limits.seed = first.default_seed();
    sc::player replay{load(yaml), limits};  // the same seed, never reloaded
    std::vector<int> expected;
    for (int i = 0; i < 40; ++i) expected.push_back(status(replay, "/"));
    CHECK(drawn == expected);
}

TEST_CASE("reload: a body_file edit changes the route, layout and comments do not", "[reload][loader]") {
    scratch_dir dir;
    std::ofstream{dir.path / "body.txt"} << "one";
    const std::string yaml = "name: s\nroutes: [{ id: r, steps: [{ body_file: body.txt }] }]\n";
    auto first = load(yaml, dir.path);
    auto relaid = load("# a comment\nname: s\nroutes:\n  - id: r\n    steps:\n      - body_file: body.txt\n", dir.path);
    CHECK(first[0].routes[0].fingerprint == relaid[0].routes[0].fingerprint);
    std::ofstream{dir.path / "body.txt"} << "two";
    auto edited = load(yaml, dir.path);
    CHECK(first[0].routes[0].fingerprint != edited[0].routes[0].fingerprint);
}

TEST_CASE("reload: steps stay exact while the registry reloads under traffic", "[reload][stress]") {
    scratch_dir dir;
    std::ofstream{dir.path / "s.yaml"} << "name: s\nroutes:\n  - id: r\n    steps:\n"
                                          "      - { status: 200, times: 1000 }\n"
                                          "      - { status: 503, times: forever }\n";
    sc::registry reg{{dir.path.string()}, {}};
    REQUIRE(reg.reload().loaded.ok());

    // 50 swaps while 4 threads play without pause; each plays at least 500 requests.
    constexpr int threads = 4;
    constexpr int reloads = 50;
    std::atomic<bool> done{false};
    std::atomic<int> failed_reloads{0};
    std::thread reloader{[&] {
        for (int i = 0; i < reloads; ++i)
            if (!reg.reload().loaded.ok()) ++failed_reloads;
        done = true;
    }};
    std::mutex m;
    std::map<int, int> histogram;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&] {
            std::map<int, int> mine;
            for (int played = 0; played < 500 || !done.load(); ++played) {
                auto r = reg.play(get("/r"));
                ++mine[r.plan ? r.plan->final_head.status : 0];
            }
            std::lock_guard lock{m};
            for (auto [k, v] : mine) histogram[k] += v;
        });
    }
    for (auto& t : pool) t.join();
    reloader.join();
    CHECK(failed_reloads == 0);
    int total = 0;
    for (auto [k, v] : histogram) total += v;
    // Exactly 1000 requests took the first step, across every swap; none was lost or unmatched.
    CHECK(histogram[200] == 1000);
    CHECK(histogram[503] == total - 1000);
    CHECK(histogram.count(0) == 0);
}

namespace {

// A scenario of a few KB of text whose aliases resolve to `copies` times 1000 bytes.
std::string alias_scenario(const std::string& name, int copies) {
    std::string yaml = "name: " + name + "\nroutes:\n  - id: r\n    match: { path: /" + name + " }\n    steps:\n";
    yaml += "      - { body: &s \"" + std::string(1000, 'x') + "\" }\n";
    for (int i = 1; i < copies; ++i) yaml += "      - { body: *s }\n";
    return yaml;
}

}  // namespace

TEST_CASE("registry: the scenarios in force share one budget, metered as resolved", "[reload][budget]") {
    const auto size = load(alias_scenario("aa", 100)).at(0).resolved_bytes;
    // Every scalar byte resolved, the nodes, and each step's fixed size: more than the 3 KB of text.
    CHECK(size > 100 * 1000 + 100 * sizeof(sc::step));
    CHECK(load(alias_scenario("bb", 100)).at(0).resolved_bytes == size);

    sc::registry reg{{}, {}, 3 * size};
    REQUIRE(reg.reload().loaded.ok());
    using refusal = sc::reload_result::refusal;
    for (const auto* name : {"aa", "bb", "cc"}) {
        auto r = reg.load_text(alias_scenario(name, 100), "posted", std::nullopt);
        CHECK(r.loaded.ok());
        CHECK(r.refused == refusal::none);
    }
    CHECK(reg.scenario_bytes() == 3 * size);
    // Replacing one of the same name frees its share first.
    CHECK(reg.load_text(alias_scenario("cc", 100), "posted", std::nullopt).loaded.ok());

    auto full = reg.load_text(alias_scenario("dd", 100), "posted", std::nullopt);
    CHECK(full.refused == refusal::full);
    CHECK(full.needed_bytes == size);
    CHECK(full.other_bytes == 3 * size);
    REQUIRE(full.loaded.errors.size() == 1);
    CHECK(full.loaded.errors[0].where.file == "posted");
    CHECK(full.loaded.scenarios.empty());
    CHECK(status_of_registry(reg, "/dd") == 0);  // nothing changed
    CHECK(status_of_registry(reg, "/aa") == 200);

    auto alone = reg.load_text(alias_scenario("ee", 400), "posted", std::nullopt);
    CHECK(alone.refused == refusal::too_large);
    CHECK(alone.other_bytes == 3 * size);

    CHECK(reg.remove("aa"));
    CHECK(reg.scenario_bytes() == 2 * size);
    CHECK(reg.load_text(alias_scenario("dd", 100), "posted", std::nullopt).loaded.ok());
    CHECK(status_of_registry(reg, "/dd") == 200);
}

TEST_CASE("registry: a reload past the budget is an error and keeps the set in force", "[reload][budget]") {
    scratch_dir dir;
    std::ofstream{dir.path / "a.yaml"} << alias_scenario("aa", 100);
    const auto size = load(alias_scenario("aa", 100)).at(0).resolved_bytes;
    sc::registry reg{{dir.path.string()}, {}, 2 * size + size / 2};
    REQUIRE(reg.reload().loaded.ok());
    REQUIRE(reg.load_text(alias_scenario("bb", 100), "posted", std::nullopt).loaded.ok());

    std::ofstream{dir.path / "c.yaml"} << alias_scenario("cc", 100);
    auto refused = reg.reload();
    CHECK(refused.refused == sc::reload_result::refusal::full);
    CHECK(refused.needed_bytes == 2 * size);  // the files'
    CHECK(refused.other_bytes == size);       // the posted one's
    REQUIRE(refused.loaded.errors.size() == 1);
    CHECK(refused.loaded.errors[0].to_string() ==
          dir.path.string() + ": the scenario files take " + teapot::detail::format_byte_size(2 * size) +
              " once their aliases are resolved, and the scenarios loaded at run time " +
              teapot::detail::format_byte_size(size) + ": more than --max-scenario-bytes (" +
              teapot::detail::format_byte_size(2 * size + size / 2) +
              ") allows; expected smaller scenarios or a larger budget");
    CHECK(status_of_registry(reg, "/aa") == 200);
    CHECK(status_of_registry(reg, "/bb") == 200);
    CHECK(status_of_registry(reg, "/cc") == 0);

    fs::remove(dir.path / "c.yaml");
    CHECK(reg.reload().loaded.ok());
    CHECK(reg.scenario_bytes() == 2 * size);
}

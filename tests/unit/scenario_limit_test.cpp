// A route's limit: quota windows per key, the reject, the shared byte budget.
#include <catch2/catch.hpp>

#include "scenario_fixture.hpp"

using namespace std::chrono_literals;
using namespace teapot::test::scenario_fixture;
using steady = std::chrono::steady_clock;

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

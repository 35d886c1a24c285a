// The player's random draws: one_of alternatives and each session's random stream.
#include <catch2/catch.hpp>

#include "scenario_fixture.hpp"

using namespace std::chrono_literals;
using namespace teapot::test::scenario_fixture;

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

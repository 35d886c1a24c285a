// Templated steps served by the player: placeholders from the request, uuids from the session's stream.
#include <catch2/catch.hpp>

#include "scenario_fixture.hpp"

using namespace std::chrono_literals;
using namespace teapot::test::scenario_fixture;

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

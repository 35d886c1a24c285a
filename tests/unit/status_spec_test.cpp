#include <catch2/catch.hpp>

#include "handlers/status_spec.hpp"
#include "util/random_source.hpp"

#include <map>
#include <string>
#include <vector>

using teapot::detail::max_spec_members;
using teapot::detail::parse_status_code;
using teapot::detail::parse_status_spec;
using teapot::detail::random_source;
using teapot::detail::status_spec;

namespace {

status_spec parse_ok(std::string_view text) {
    std::string error;
    auto spec = parse_status_spec(text, error);
    INFO("spec '" << text << "': " << error);
    REQUIRE(spec);
    CHECK(error.empty());
    return *spec;
}

std::string parse_error(std::string_view text) {
    std::string error;
    auto spec = parse_status_spec(text, error);
    INFO("spec '" << text << "'");
    CHECK_FALSE(spec);
    CHECK_FALSE(error.empty());
    return error;
}

bool contains(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("parse_status_code: three digits from 100 to 599", "[status_spec]") {
    CHECK(parse_status_code("100") == 100);
    CHECK(parse_status_code("200") == 200);
    CHECK(parse_status_code("418") == 418);
    CHECK(parse_status_code("599") == 599);
    for (const char* bad : {"", "1", "20", "099", "000", "600", "999", "0200", "2000", "2e2", "20x", "+20", "-20",
                            " 200", "200 ", "abc", "1.5"}) {
        INFO("'" << bad << "'");
        CHECK_FALSE(parse_status_code(bad));
    }
}

TEST_CASE("parse_status_spec: one code", "[status_spec]") {
    auto spec = parse_ok("418");
    REQUIRE(spec.members.size() == 1);
    CHECK(spec.members[0].code == 418);
    CHECK(spec.members[0].weight == 1.0);
}

TEST_CASE("parse_status_spec: an unweighted list", "[status_spec]") {
    auto spec = parse_ok("200,503,418");
    REQUIRE(spec.members.size() == 3);
    CHECK(spec.members[0].code == 200);
    CHECK(spec.members[1].code == 503);
    CHECK(spec.members[2].code == 418);
    for (const auto& m : spec.members) CHECK(m.weight == 1.0);
}

TEST_CASE("parse_status_spec: a weighted list", "[status_spec]") {
    auto spec = parse_ok("200:0.9,503:0.1");
    REQUIRE(spec.members.size() == 2);
    CHECK(spec.members[0].code == 200);
    CHECK(spec.members[0].weight == Approx(0.9));
    CHECK(spec.members[1].code == 503);
    CHECK(spec.members[1].weight == Approx(0.1));

    // Weights need not add up to 1; a missing one is 1; a zero is allowed beside a positive one.
    auto mixed = parse_ok("200:3,404,500:0");
    REQUIRE(mixed.members.size() == 3);
    CHECK(mixed.members[0].weight == 3.0);
    CHECK(mixed.members[1].weight == 1.0);
    CHECK(mixed.members[2].weight == 0.0);
}

TEST_CASE("parse_status_spec: up to max_spec_members codes", "[status_spec]") {
    REQUIRE(max_spec_members == 64);
    std::string text = "200";
    for (std::size_t i = 1; i < max_spec_members; ++i) text += ",200";
    CHECK(parse_ok(text).members.size() == 64);

    text += ",503";
    auto error = parse_error(text);
    CHECK(contains(error, "too many status codes"));
    CHECK(contains(error, "64"));
}

TEST_CASE("parse_status_spec: errors name the problem and what is valid", "[status_spec]") {
    SECTION("empty") {
        auto error = parse_error("");
        CHECK(contains(error, "missing status code"));
        CHECK(contains(error, "100 to 599"));
    }
    SECTION("not a code") {
        auto error = parse_error("abc");
        CHECK(contains(error, "invalid status code 'abc'"));
        CHECK(contains(error, "three digits from 100 to 599"));
    }
    SECTION("leading zero") { CHECK(contains(parse_error("0200"), "invalid status code '0200'")); }
    SECTION("out of range") {
        CHECK(contains(parse_error("600"), "invalid status code '600'"));
        CHECK(contains(parse_error("099"), "invalid status code '099'"));
    }
    SECTION("a bad member in a list") { CHECK(contains(parse_error("200,abc"), "invalid status code 'abc'")); }
    SECTION("empty members") {
        CHECK(contains(parse_error("200,"), "invalid status code ''"));
        CHECK(contains(parse_error(",200"), "invalid status code ''"));
        CHECK(contains(parse_error("200,,503"), "invalid status code ''"));
        CHECK(contains(parse_error(":0.5"), "invalid status code ''"));
    }
    SECTION("bad weights") {
        CHECK(contains(parse_error("200:x"), "invalid weight 'x' for 200"));
        CHECK(contains(parse_error("200:"), "invalid weight '' for 200"));
        CHECK(contains(parse_error("200:0.5x"), "invalid weight '0.5x' for 200"));
        CHECK(contains(parse_error("200:1:2"), "invalid weight '1:2' for 200"));
        CHECK(contains(parse_error("200:inf"), "invalid weight 'inf'"));
        CHECK(contains(parse_error("200:nan"), "invalid weight 'nan'"));
        CHECK(contains(parse_error("200:1,503:abc"), "invalid weight 'abc' for 503"));
        CHECK(contains(parse_error("200:x"), "non-negative number"));
    }
    SECTION("negative weight") {
        auto error = parse_error("200:-1,503:1");
        CHECK(contains(error, "invalid weight '-1' for 200"));
        CHECK(contains(error, "non-negative"));
    }
    SECTION("all weights zero") {
        auto error = parse_error("200:0,503:0");
        CHECK(contains(error, "at least one must be positive"));
        CHECK(contains(parse_error("200:0"), "at least one must be positive"));
    }
}

TEST_CASE("random_source: seeded streams are reproducible, each draw from 0 up to 1 (excluded)", "[status_spec]") {
    random_source a{42}, b{42}, c{43};
    CHECK(a.seed() == 42);
    bool differs = false;
    for (int i = 0; i < 1000; ++i) {
        double x = a.next_unit(), y = b.next_unit(), z = c.next_unit();
        CHECK(x == y);
        CHECK(x >= 0.0);
        CHECK(x < 1.0);
        differs |= x != z;
    }
    CHECK(differs);
}

TEST_CASE("status_spec::pick: a single code draws nothing", "[status_spec]") {
    auto spec = parse_ok("418");
    random_source used{7}, fresh{7};
    for (int i = 0; i < 10; ++i) CHECK(spec.pick(used) == 418);
    // The stream did not advance: its next number is the first of an identical fresh stream.
    CHECK(used.next_unit() == fresh.next_unit());
}

TEST_CASE("status_spec::pick follows the weights", "[status_spec]") {
    random_source random{12345};
    constexpr int draws = 20'000;

    SECTION("weighted") {
        auto spec = parse_ok("200:0.9,503:0.1");
        std::map<int, int> counts;
        for (int i = 0; i < draws; ++i) ++counts[spec.pick(random)];
        CHECK(counts.size() == 2);
        CHECK(counts[200] + counts[503] == draws);
        CHECK(counts[200] / double(draws) == Approx(0.9).margin(0.02));
        CHECK(counts[503] / double(draws) == Approx(0.1).margin(0.02));
    }
    SECTION("unweighted: uniform") {
        auto spec = parse_ok("200,404,500,503");
        std::map<int, int> counts;
        for (int i = 0; i < draws; ++i) ++counts[spec.pick(random)];
        REQUIRE(counts.size() == 4);
        for (auto [code, n] : counts) {
            INFO("code " << code);
            CHECK(n / double(draws) == Approx(0.25).margin(0.02));
        }
    }
    SECTION("zero weight is never picked") {
        auto spec = parse_ok("200:0,418:2,500:0,503:1");
        std::map<int, int> counts;
        for (int i = 0; i < draws; ++i) ++counts[spec.pick(random)];
        CHECK(counts.count(200) == 0);
        CHECK(counts.count(500) == 0);
        CHECK(counts[418] / double(draws) == Approx(2.0 / 3).margin(0.02));
        CHECK(counts[503] / double(draws) == Approx(1.0 / 3).margin(0.02));
    }
}

TEST_CASE("status_spec::pick is reproducible for equal seeds", "[status_spec]") {
    auto spec = parse_ok("200:5,201:1,404:2,500:1,503:1");
    random_source a{2024}, b{2024};
    std::vector<int> first, second;
    for (int i = 0; i < 500; ++i) {
        first.push_back(spec.pick(a));
        second.push_back(spec.pick(b));
    }
    CHECK(first == second);

    random_source other{2025};
    std::vector<int> third;
    for (int i = 0; i < 500; ++i) third.push_back(spec.pick(other));
    CHECK(third != first);
}

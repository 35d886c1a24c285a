#include <catch2/catch.hpp>

#include "handlers/byte_ranges.hpp"

#include <string>
#include <utility>
#include <vector>

using teapot::detail::evaluate_range;
using teapot::detail::max_ranges;
using teapot::detail::range_request;
using outcome = teapot::detail::range_request::outcome;

namespace {

using pairs = std::vector<std::pair<std::size_t, std::size_t>>;

pairs ranges_of(const range_request& r) {
    pairs out;
    for (const auto& b : r.ranges) out.emplace_back(b.first, b.last);
    return out;
}

}  // namespace

TEST_CASE("evaluate_range: first-last", "[byte_ranges]") {
    auto r = evaluate_range("bytes=0-499", 1000);
    CHECK(r.result == outcome::satisfiable);
    CHECK(ranges_of(r) == pairs{{0, 499}});

    r = evaluate_range("bytes=500-999", 1000);
    CHECK(r.result == outcome::satisfiable);
    CHECK(ranges_of(r) == pairs{{500, 999}});

    r = evaluate_range("bytes=7-7", 10);
    CHECK(r.result == outcome::satisfiable);
    CHECK(ranges_of(r) == pairs{{7, 7}});
}

TEST_CASE("evaluate_range: first- to the end", "[byte_ranges]") {
    auto r = evaluate_range("bytes=500-", 1000);
    CHECK(r.result == outcome::satisfiable);
    CHECK(ranges_of(r) == pairs{{500, 999}});

    r = evaluate_range("bytes=0-", 1);
    CHECK(r.result == outcome::satisfiable);
    CHECK(ranges_of(r) == pairs{{0, 0}});
}

TEST_CASE("evaluate_range: -n, the last n bytes", "[byte_ranges]") {
    auto r = evaluate_range("bytes=-200", 1000);
    CHECK(r.result == outcome::satisfiable);
    CHECK(ranges_of(r) == pairs{{800, 999}});

    // A suffix longer than the representation is the whole of it (§14.1.3).
    r = evaluate_range("bytes=-5000", 1000);
    CHECK(r.result == outcome::satisfiable);
    CHECK(ranges_of(r) == pairs{{0, 999}});

    r = evaluate_range("bytes=-1", 10);
    CHECK(ranges_of(r) == pairs{{9, 9}});
}

TEST_CASE("evaluate_range: a last byte beyond the end is clipped", "[byte_ranges]") {
    auto r = evaluate_range("bytes=900-2000", 1000);
    CHECK(r.result == outcome::satisfiable);
    CHECK(ranges_of(r) == pairs{{900, 999}});

    r = evaluate_range("bytes=0-18446744073709551615", 10);
    CHECK(r.result == outcome::satisfiable);
    CHECK(ranges_of(r) == pairs{{0, 9}});
}

TEST_CASE("evaluate_range: several ranges, in the client's order", "[byte_ranges]") {
    auto r = evaluate_range("bytes=0-0,-1", 10);
    CHECK(r.result == outcome::satisfiable);
    CHECK(ranges_of(r) == pairs{{0, 0}, {9, 9}});

    r = evaluate_range("bytes=500-600, 0-99 ,\t900-", 1000);
    CHECK(r.result == outcome::satisfiable);
    CHECK(ranges_of(r) == pairs{{500, 600}, {0, 99}, {900, 999}});

    // Ranges that overlap nothing are dropped; the others are kept.
    r = evaluate_range("bytes=2000-3000,0-9", 100);
    CHECK(r.result == outcome::satisfiable);
    CHECK(ranges_of(r) == pairs{{0, 9}});
}

TEST_CASE("evaluate_range: nothing overlaps → unsatisfiable", "[byte_ranges]") {
    for (const char* header : {"bytes=1000-", "bytes=1000-2000", "bytes=5000-5001", "bytes=-0", "bytes=1000-,2000-"}) {
        INFO(header);
        auto r = evaluate_range(header, 1000);
        CHECK(r.result == outcome::unsatisfiable);
        CHECK(r.ranges.empty());
    }
    // An empty representation has no byte to serve.
    CHECK(evaluate_range("bytes=0-", 0).result == outcome::unsatisfiable);
    CHECK(evaluate_range("bytes=-5", 0).result == outcome::unsatisfiable);
    CHECK(evaluate_range("bytes=0-0", 0).result == outcome::unsatisfiable);
}

TEST_CASE("evaluate_range: absent, malformed or another unit is ignored", "[byte_ranges]") {
    for (const char* header :
         {"",          "bytes",         "bytes=",      "bytes=-",    "bytes=abc",
          "bytes=5",   "bytes=5-2",     "bytes=a-5",   "bytes=5-b",  "bytes=0-1;x",
          "bytes=--5", "bytes=0-1,abc", "bytes = 0-1", "items=0-1",  "bytes:0-1",
          "none",      "bytes=1-2-3",   "bytes=-5-",   "bytes=+1-2", "bytes=99999999999999999999999-"}) {
        INFO("'" << header << "'");
        auto r = evaluate_range(header, 1000);
        CHECK(r.result == outcome::ignore);
        CHECK(r.ranges.empty());
    }
}

TEST_CASE("evaluate_range: at most max_ranges ranges", "[byte_ranges]") {
    REQUIRE(max_ranges == 16);
    std::string header = "bytes=0-0";
    for (std::size_t i = 1; i < max_ranges; ++i) {
        auto n = std::to_string(i);
        header.append(",").append(n).append("-").append(n);
    }
    auto r = evaluate_range(header, 1000);
    CHECK(r.result == outcome::satisfiable);
    CHECK(r.ranges.size() == 16);
    CHECK(r.ranges.back().first == 15);

    header += ",16-16";
    r = evaluate_range(header, 1000);
    CHECK(r.result == outcome::ignore);
    CHECK(r.ranges.empty());
}

TEST_CASE("evaluate_range: surrounding whitespace", "[byte_ranges]") {
    auto r = evaluate_range("  bytes=1-2  ", 10);
    CHECK(r.result == outcome::satisfiable);
    CHECK(ranges_of(r) == pairs{{1, 2}});
}

TEST_CASE("evaluate_range: the unit is case-insensitive and empty elements are skipped", "[byte_ranges]") {
    auto upper = evaluate_range("Bytes=0-1", 1000);
    CHECK(upper.result == outcome::satisfiable);
    CHECK(ranges_of(upper) == pairs{{0, 1}});

    auto empties = evaluate_range("bytes=0-1,, ,5-6,", 1000);
    CHECK(empties.result == outcome::satisfiable);
    CHECK(ranges_of(empties) == pairs{{0, 1}, {5, 6}});

    CHECK(evaluate_range("bytes=,", 1000).result == outcome::ignore);
}

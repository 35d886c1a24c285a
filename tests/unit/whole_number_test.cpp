#include <catch2/catch.hpp>

#include "util/whole_number.hpp"

#include <cstdint>
#include <limits>
#include <optional>

using teapot::detail::parse_whole;

TEST_CASE("parse_whole: the whole text, or nothing", "[whole_number]") {
    CHECK(parse_whole<int>("42") == 42);
    CHECK(parse_whole<int>("-7") == -7);
    CHECK(parse_whole<std::uint16_t>("65535") == 65535);
    CHECK(parse_whole<std::uint64_t>("18446744073709551615") == std::numeric_limits<std::uint64_t>::max());
    // What from_chars stops at, or refuses, is no number here.
    for (const char* text : {"", " 1", "1 ", "+1", "1x", "0x10", "1.5", "--1"}) {
        INFO(text);
        CHECK_FALSE(parse_whole<int>(text));
    }
    CHECK_FALSE(parse_whole<std::uint16_t>("65536"));                 // out of the type's range
    CHECK_FALSE(parse_whole<std::uint64_t>("-1"));                    // no sign for an unsigned type
    CHECK_FALSE(parse_whole<std::uint64_t>("18446744073709551616"));  // one past the largest
}

TEST_CASE("parse_whole: a base, for YAML's 0x and 0o integers", "[whole_number]") {
    CHECK(parse_whole<std::uint64_t>("ff", 16) == 255);
    CHECK(parse_whole<std::uint64_t>("17", 8) == 15);
    CHECK_FALSE(parse_whole<std::uint64_t>("18", 8));
}

TEST_CASE("parse_whole: floating point, finite only", "[whole_number]") {
    CHECK(parse_whole<double>("0.5") == 0.5);
    CHECK(parse_whole<double>("2e1") == 20.0);
    CHECK(parse_whole<double>("-1.25") == -1.25);
    for (const char* text : {"", "inf", "nan", "1e999", "0.5s", ".", "+1"}) {
        INFO(text);
        CHECK_FALSE(parse_whole<double>(text));
    }
}

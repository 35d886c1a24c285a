#include <catch2/catch.hpp>

#include "util/byte_size.hpp"
#include "util/duration.hpp"
#include "util/http_date.hpp"

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

using namespace std::chrono_literals;
using teapot::detail::format_duration;
using teapot::detail::format_http_date;
using teapot::detail::is_imf_fixdate;
using teapot::detail::parse_byte_size;
using teapot::detail::parse_duration;

TEST_CASE("parse_duration reads each unit", "[duration]") {
    CHECK(parse_duration("250ms") == 250ms);
    CHECK(parse_duration("1ms") == 1ms);
    CHECK(parse_duration("2s") == 2000ms);
    CHECK(parse_duration("1.5s") == 1500ms);
    CHECK(parse_duration("0.25s") == 250ms);
    CHECK(parse_duration("1m") == 60'000ms);
    CHECK(parse_duration("1.5m") == 90'000ms);
    CHECK(parse_duration("1h") == 3'600'000ms);
    CHECK(parse_duration("0s") == 0ms);
    CHECK(parse_duration("0ms") == 0ms);
    CHECK(parse_duration("007s") == 7000ms);
}

TEST_CASE("parse_duration accepts up to a day and no more", "[duration]") {
    CHECK(parse_duration("24h") == 86'400'000ms);
    CHECK(parse_duration("1440m") == 86'400'000ms);
    CHECK(parse_duration("86400s") == 86'400'000ms);
    CHECK_FALSE(parse_duration("86401s"));
    CHECK_FALSE(parse_duration("1441m"));
    CHECK_FALSE(parse_duration("25h"));
    CHECK_FALSE(parse_duration("86400001ms"));
    CHECK_FALSE(parse_duration("99999999999999999999h"));
}

TEST_CASE("parse_duration rejects malformed text", "[duration]") {
    for (const char* bad : {"",    "5",      "s",     "ms", "-1s",  "+1s",  "1x", "1.s",  ".5s",  "2 s",   " 2s",
                            "2s ", "1.5.5s", "1e3ms", "1S", "1sec", "1min", "1d", "1 ms", "1,5s", "inf s", "nans"}) {
        INFO("'" << bad << "'");
        CHECK_FALSE(parse_duration(bad));
    }
}

TEST_CASE("format_duration picks the shortest exact unit", "[duration]") {
    CHECK(format_duration(250ms) == "250ms");
    CHECK(format_duration(1500ms) == "1500ms");
    CHECK(format_duration(2000ms) == "2s");
    CHECK(format_duration(90'000ms) == "90s");
    CHECK(format_duration(60'000ms) == "1m");
    CHECK(format_duration(5'400'000ms) == "90m");
    CHECK(format_duration(3'600'000ms) == "1h");
    CHECK(format_duration(86'400'000ms) == "24h");
    CHECK(format_duration(0ms) == "0s");
    CHECK(format_duration(1ms) == "1ms");
}

TEST_CASE("format_duration output parses back to the same duration", "[duration]") {
    for (auto d : {0ms, 1ms, 999ms, 1000ms, 1001ms, 59'000ms, 60'000ms, 61'000ms, 3'600'000ms, 86'400'000ms}) {
        INFO(d.count() << "ms → " << format_duration(d));
        CHECK(parse_duration(format_duration(d)) == d);
    }
}

TEST_CASE("parse_byte_size reads plain numbers and binary and decimal units", "[byte_size]") {
    CHECK(parse_byte_size("16384") == std::size_t{16384});
    CHECK(parse_byte_size("0") == std::size_t{0});
    CHECK(parse_byte_size("10B") == std::size_t{10});
    CHECK(parse_byte_size("16KiB") == std::size_t{16 * 1024});
    CHECK(parse_byte_size("1MiB") == std::size_t{1024 * 1024});
    CHECK(parse_byte_size("2GiB") == std::size_t{2} * 1024 * 1024 * 1024);
    CHECK(parse_byte_size("1KB") == std::size_t{1000});
    CHECK(parse_byte_size("3MB") == std::size_t{3'000'000});
    CHECK(parse_byte_size("1GB") == std::size_t{1'000'000'000});
}

TEST_CASE("parse_byte_size rejects malformed and overflowing sizes", "[byte_size]") {
    for (const char* bad : {"", "KiB", "-1", "+1", "1 KiB", " 1", "1.5KiB", "1kib", "1kb", "1TiB", "1K", "1KiBs",
                            "0x10", "18446744073709551616", "18446744073709551615KiB", "17179869184GiB"}) {
        INFO("'" << bad << "'");
        CHECK_FALSE(parse_byte_size(bad));
    }
    CHECK(parse_byte_size("18446744073709551615") == std::size_t{UINT64_MAX});
}

TEST_CASE("format_http_date writes IMF-fixdate in GMT", "[http_date]") {
    // RFC 9110 §5.6.7's own example.
    CHECK(format_http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(format_http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
    CHECK(format_http_date(951782400) == "Tue, 29 Feb 2000 00:00:00 GMT");
    CHECK(format_http_date(1704067199) == "Sun, 31 Dec 2023 23:59:59 GMT");
    CHECK(is_imf_fixdate(format_http_date(std::time(nullptr))));
    CHECK(is_imf_fixdate(teapot::detail::current_http_date()));
}

TEST_CASE("is_imf_fixdate accepts the preferred form only", "[http_date]") {
    CHECK(is_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"));
    CHECK(is_imf_fixdate("Thu, 01 Jan 1970 00:00:00 GMT"));
    CHECK(is_imf_fixdate("Sat, 31 Dec 2033 23:59:60 GMT"));  // a leap second is allowed (second = 00-60)
    for (const char* bad : {
             "",
             "Sunday, 06-Nov-94 08:49:37 GMT",  // obsolete RFC 850 form
             "Sun Nov  6 08:49:37 1994",        // asctime form
             "Sun, 06 Nov 1994 08:49:37 UTC",
             "Sun, 06 Nov 1994 08:49:37 GMT ",
             " Sun, 06 Nov 1994 08:49:37 GMT",
             "Sun, 6 Nov 1994 08:49:37 GMT",
             "Sun, 06 nov 1994 08:49:37 GMT",
             "sun, 06 Nov 1994 08:49:37 GMT",
             "Xyz, 06 Nov 1994 08:49:37 GMT",
             "Sun, 06 Foo 1994 08:49:37 GMT",
             "Sun, 00 Nov 1994 08:49:37 GMT",
             "Sun, 32 Nov 1994 08:49:37 GMT",
             "Sun, 06 Nov 1994 24:49:37 GMT",
             "Sun, 06 Nov 1994 08:60:37 GMT",
             "Sun, 06 Nov 1994 08:49:61 GMT",
             "Sun, 06 Nov 94xx 08:49:37 GMT",
             "Sun, 06 Nov 1994 08-49-37 GMT",
             "Sun; 06 Nov 1994 08:49:37 GMT",
             "Sun, 06 Nov 1994 08:49:37 GM\r",
         }) {
        INFO("'" << bad << "'");
        CHECK_FALSE(is_imf_fixdate(bad));
    }
}

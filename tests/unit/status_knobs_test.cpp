#include <catch2/catch.hpp>

#include "handlers/status_knobs.hpp"

#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using teapot::detail::language;
using teapot::detail::parse_status_knobs;
using teapot::detail::query_param;
using teapot::detail::status_knobs;

namespace {

constexpr std::chrono::milliseconds max_delay = 60s;

status_knobs knobs_ok(std::vector<query_param> params) {
    std::string error;
    auto knobs = parse_status_knobs(params, max_delay, error);
    INFO(error);
    REQUIRE(knobs);
    return *knobs;
}

status_knobs knob_ok(std::string key, std::string value) { return knobs_ok({{std::move(key), std::move(value)}}); }

std::string knob_error(std::string key, std::string value) {
    std::string error;
    auto knobs = parse_status_knobs({{key, value}}, max_delay, error);
    INFO(key << "='" << value << "'");
    CHECK_FALSE(knobs);
    CHECK_FALSE(error.empty());
    return error;
}

bool contains(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("no knobs: defaults", "[status_knobs]") {
    auto k = knobs_ok({});
    CHECK_FALSE(k.final_code);
    CHECK_FALSE(k.location);
    CHECK_FALSE(k.retry_after);
    CHECK(k.delay == 0ms);
    CHECK(k.headers.empty());
    CHECK_FALSE(k.body);
    CHECK_FALSE(k.content_type);
    CHECK_FALSE(k.reason);
    CHECK_FALSE(k.lang);
}

TEST_CASE("final: a final status from 200 to 599", "[status_knobs]") {
    CHECK(knob_ok("final", "200").final_code == 200);
    CHECK(knob_ok("final", "404").final_code == 404);
    CHECK(knob_ok("final", "599").final_code == 599);
    for (const char* bad : {"100", "101", "103", "199", "600", "0200", "", "abc", "20"}) {
        auto error = knob_error("final", bad);
        CHECK(contains(error, "invalid final='" + std::string{bad} + "'"));
        CHECK(contains(error, "200 to 599"));
    }
}

TEST_CASE("location: a URI reference", "[status_knobs]") {
    CHECK(knob_ok("location", "/status/200").location == "/status/200");
    CHECK(knob_ok("location", "https://example.org/a?b=c#d").location == "https://example.org/a?b=c#d");
    CHECK(knob_ok("location", "relative/path").location == "relative/path");
    for (const char* bad : {"", "/a b", "/a\r\nSet-Cookie: x=1", "/a\nb", "/a\rb", "http://[bad", "/a<b>"}) {
        auto error = knob_error("location", bad);
        CHECK(contains(error, "invalid location="));
        CHECK(contains(error, "URI reference"));
    }
    // A NUL never reaches a header.
    knob_error("location", std::string{"/a\0b", 4});
}

TEST_CASE("location and header=Location: with allowed redirect hosts, only those hosts", "[status_knobs]") {
    const std::vector<std::string> hosts{"a.test", "127.0.0.1", "::1"};
    auto parse = [&](std::string key, std::string value, std::string& error) {
        return parse_status_knobs({{std::move(key), std::move(value)}}, teapot::detail::knob_limits{max_delay, hosts},
                                  error);
    };
    for (std::string_view ok :
         {"/status/200", "relative/path?x=1", "?q", "#top", "http://a.test/x", "HTTPS://A.TEST:8443", "//a.test/x",
          "http://127.0.0.1:9/", "http://[::1]:80/", "http://user@a.test/"}) {
        INFO(ok);
        std::string error;
        CHECK(parse("location", std::string{ok}, error));
        CHECK(parse("header", "Location: " + std::string{ok}, error));
    }
    for (std::string_view refused :
         {"http://evil.test/", "//evil.test/x", "https://a.test.evil.test/", "http://a.test@evil.test/",
          "javascript:alert(1)", "mailto:x@a.test", "http://a.test./", "http://[::2]/"}) {
        INFO(refused);
        std::string error;
        CHECK_FALSE(parse("location", std::string{refused}, error));
        CHECK(contains(error, "--allowed-redirect-hosts"));
        CHECK(contains(error, "a.test, 127.0.0.1, ::1"));
        CHECK_FALSE(parse("header", "Location: " + std::string{refused}, error));
        CHECK(contains(error, "--allowed-redirect-hosts"));
    }
    std::string error;
    CHECK_FALSE(parse("header", "Refresh: 0; url=http://a.test/", error));
    CHECK(contains(error, "Refresh"));
    // Without a list: any URI, by design for testing.
    CHECK(knob_ok("location", "http://evil.test/").location == std::optional<std::string>{"http://evil.test/"});
    CHECK(knob_ok("header", "Refresh: 0; url=http://evil.test/").headers.size() == 1);
}

TEST_CASE("retry_after: delay-seconds or an HTTP-date", "[status_knobs]") {
    CHECK(knob_ok("retry_after", "120").retry_after == "120");
    CHECK(knob_ok("retry_after", "0").retry_after == "0");
    CHECK(knob_ok("retry_after", "9999999999").retry_after == "9999999999");
    CHECK(knob_ok("retry_after", "Sun, 06 Nov 1994 08:49:37 GMT").retry_after == "Sun, 06 Nov 1994 08:49:37 GMT");
    for (const char* bad : {"", "-1", "1.5", "12345678901", "soon", "120\r\nX-Evil: 1", "120 ",
                            "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"}) {
        auto error = knob_error("retry_after", bad);
        CHECK(contains(error, "invalid retry_after="));
        CHECK(contains(error, "delay-seconds"));
    }
}

TEST_CASE("delay: a duration up to the maximum", "[status_knobs]") {
    CHECK(knob_ok("delay", "250ms").delay == 250ms);
    CHECK(knob_ok("delay", "2s").delay == 2000ms);
    CHECK(knob_ok("delay", "0s").delay == 0ms);
    CHECK(knob_ok("delay", "1m").delay == 60'000ms);  // exactly the maximum

    for (const char* bad : {"", "5", "2 s", "-1s", "fast"}) {
        auto error = knob_error("delay", bad);
        CHECK(contains(error, "invalid delay="));
        CHECK(contains(error, "250ms"));
    }
    auto over = knob_error("delay", "61s");
    CHECK(contains(over, "delay=61s exceeds the maximum delay of 1m"));
    CHECK(contains(over, "--max-delay"));
    CHECK(contains(knob_error("delay", "2h"), "exceeds the maximum"));

    std::string error;
    std::vector<query_param> params{{"delay", "5s"}};
    CHECK_FALSE(parse_status_knobs(params, 1s, error));
    CHECK(contains(error, "exceeds the maximum delay of 1s"));
    auto k = parse_status_knobs(params, 5s, error);
    REQUIRE(k);
    CHECK(k->delay == 5s);
}

TEST_CASE("header: Name:Value, repeatable", "[status_knobs]") {
    SECTION("a header") {
        auto k = knob_ok("header", "X-Teapot: short and stout");
        REQUIRE(k.headers.size() == 1);
        CHECK(k.headers[0].name == "X-Teapot");
        CHECK(k.headers[0].value == "short and stout");
    }
    SECTION("no space after the colon, colons in the value") {
        auto k = knob_ok("header", "Link:<https://example.org/>; rel=\"a:b\"");
        REQUIRE(k.headers.size() == 1);
        CHECK(k.headers[0].name == "Link");
        CHECK(k.headers[0].value == "<https://example.org/>; rel=\"a:b\"");
    }
    SECTION("an empty value") {
        auto k = knob_ok("header", "X-Empty:");
        REQUIRE(k.headers.size() == 1);
        CHECK(k.headers[0].name == "X-Empty");
        CHECK(k.headers[0].value.empty());
    }
    SECTION("repeated, in order") {
        auto k = knobs_ok({{"header", "Set-Cookie: a=1"}, {"header", "Set-Cookie: b=2"}, {"header", "X-B: c"}});
        REQUIRE(k.headers.size() == 3);
        CHECK(k.headers[0].value == "a=1");
        CHECK(k.headers[1].name == "Set-Cookie");
        CHECK(k.headers[1].value == "b=2");
        CHECK(k.headers[2].name == "X-B");
    }
}

TEST_CASE("header: bad names", "[status_knobs]") {
    for (const char* bad : {"NoColon", ": value", "Bad Name: x", "X-A\r\nX-B: x", "X(A): x", "X/A: x", "\r\n: x"}) {
        auto error = knob_error("header", bad);
        CHECK(contains(error, "invalid header="));
        CHECK(contains(error, "token"));
    }
}

TEST_CASE("header: CR, LF and NUL injection via the value", "[status_knobs]") {
    for (std::string bad :
         {std::string{"X-A: a\r\nSet-Cookie: evil=1"}, std::string{"X-A: a\nb"}, std::string{"X-A: a\rb"},
          std::string{"X-A: \r\n\r\n<html>"}, std::string{"X-A: a\0b", 8}, std::string{"X-A: a\x01"}}) {
        auto error = knob_error("header", bad);
        CHECK(contains(error, "invalid header value for X-A"));
        CHECK(contains(error, "CR or LF"));
    }
}

TEST_CASE("header: framing fields are teapot's", "[status_knobs]") {
    for (const char* bad :
         {"Content-Length: 5", "content-length: 0", "Transfer-Encoding: chunked", "Connection: close",
          "Keep-Alive: timeout=5", "Upgrade: h2c", "Trailer: X", "TE: trailers", "Proxy-Connection: keep-alive"}) {
        auto error = knob_error("header", bad);
        CHECK(contains(error, "decides framing and is set by teapot only"));
    }
}

TEST_CASE("body: any text", "[status_knobs]") {
    CHECK(knob_ok("body", "hello").body == "hello");
    CHECK(knob_ok("body", "").body == "");
    // The body is content, not a header: line breaks are fine there.
    CHECK(knob_ok("body", "a\r\nb").body == "a\r\nb");
}

TEST_CASE("content_type: a media type", "[status_knobs]") {
    CHECK(knob_ok("content_type", "application/json").content_type == "application/json");
    CHECK(knob_ok("content_type", "text/plain; charset=utf-8").content_type == "text/plain; charset=utf-8");
    CHECK(knob_ok("content_type", "application/vnd.api+json").content_type == "application/vnd.api+json");
    for (const char* bad : {"", "json", "text/", "/plain", "text /plain", "text/plain/x", "text/plain\r\nX-Evil: 1",
                            "text/plain; charset=utf-8\r\nX-Evil: 1", "text/plain; charset=utf-8\n"}) {
        auto error = knob_error("content_type", bad);
        CHECK(contains(error, "invalid content_type="));
        CHECK(contains(error, "media type"));
    }
}

TEST_CASE("reason: a reason phrase", "[status_knobs]") {
    CHECK(knob_ok("reason", "Short and Stout").reason == "Short and Stout");
    CHECK(knob_ok("reason", "I'm a teapot").reason == "I'm a teapot");
    for (std::string bad :
         {std::string{}, std::string{"OK\r\nSet-Cookie: x=1"}, std::string{"OK\n"}, std::string{"O\0K", 3}}) {
        auto error = knob_error("reason", bad);
        CHECK(contains(error, "invalid reason"));
        CHECK(contains(error, "without CR or LF"));
    }
}

TEST_CASE("lang: en or fr", "[status_knobs]") {
    CHECK(knob_ok("lang", "en").lang == language::en);
    CHECK(knob_ok("lang", "fr").lang == language::fr);
    for (const char* bad : {"", "de", "FR", "fr-CA", "english"}) {
        auto error = knob_error("lang", bad);
        CHECK(contains(error, "invalid lang="));
        CHECK(contains(error, "en or fr"));
    }
}

TEST_CASE("a parameter that is not a knob is the client's own: ignored, and listed", "[status_knobs]") {
    auto k = knobs_ok({{"cache_bust", "123"}, {"delay", "10ms"}, {"_", "1712345"}, {"cache_bust", "456"}});
    CHECK(k.delay == std::chrono::milliseconds{10});
    CHECK(k.ignored == std::vector<std::string>{"cache_bust", "_"});
    CHECK(teapot::detail::ignored_params_field(k.ignored) == "cache_bust, _");
    // A near miss of a knob says which; bytes outside a token are percent-encoded.
    CHECK(teapot::detail::ignored_params_field({"dealy", "Retry-After", "a b\xff"}) ==
          "dealy (did you mean delay?), Retry-After (did you mean retry_after?), a%20b%FF");
}

TEST_CASE("ignored parameters: the first 16 distinct names are listed, the rest counted", "[status_knobs]") {
    // 1 600 distinct names fit an 8 KiB URI: each was checked against every other name listed.
    std::vector<query_param> params;
    for (int i = 0; i < 1600; ++i) params.push_back({std::string{"p"}.append(std::to_string(i)), ""});
    params.push_back({"p3", "again"});  // named already: not counted again
    auto k = knobs_ok(params);
    REQUIRE(k.ignored.size() == teapot::detail::max_named_ignored);
    CHECK(k.ignored.front() == "p0");
    CHECK(k.ignored.back() == "p15");
    CHECK(k.ignored_unnamed == 1600 - 16);
    CHECK(teapot::detail::ignored_params_field(k.ignored, k.ignored_unnamed).ends_with("p15, and 1584 more"));
}

TEST_CASE("near misses of a knob: at most two edits, case aside", "[status_knobs]") {
    using teapot::detail::nearest_knob;
    CHECK(nearest_knob("dealy") == "delay");
    CHECK(nearest_knob("Delay") == "delay");
    CHECK(nearest_knob("retry-after") == "retry_after");
    CHECK(nearest_knob("stream") == "stream");
    CHECK(nearest_knob("lng") == "lang");
    CHECK(nearest_knob("api_key").empty());
    CHECK(nearest_knob("cache_bust").empty());
    CHECK(nearest_knob(std::string(100, 'd')).empty());
}

TEST_CASE("with strict knobs, an unknown one is an error naming the valid ones", "[status_knobs]") {
    std::string error;
    teapot::detail::knob_limits strict{std::chrono::seconds{60}, {}, true};
    CHECK_FALSE(parse_status_knobs({{"colour", "blue"}}, strict, error));
    CHECK(contains(error, "unknown knob 'colour'"));
    CHECK(contains(error,
                   "valid knobs: final, location, retry_after, delay, header, body, content_type, reason, lang, "
                   "fault, stream"));
    CHECK_FALSE(parse_status_knobs({{"dealy", "1s"}}, strict, error));
    CHECK(contains(error, "unknown knob 'dealy' (did you mean delay?)"));
}

TEST_CASE("all knobs together, and the first invalid one wins", "[status_knobs]") {
    auto k = knobs_ok({{"final", "503"},
                       {"location", "/elsewhere"},
                       {"retry_after", "30"},
                       {"delay", "100ms"},
                       {"header", "X-A: 1"},
                       {"body", "b"},
                       {"content_type", "text/csv"},
                       {"reason", "Nope"},
                       {"lang", "fr"}});
    CHECK(k.final_code == 503);
    CHECK(k.location == "/elsewhere");
    CHECK(k.retry_after == "30");
    CHECK(k.delay == 100ms);
    REQUIRE(k.headers.size() == 1);
    CHECK(k.headers[0].name == "X-A");
    CHECK(k.body == "b");
    CHECK(k.content_type == "text/csv");
    CHECK(k.reason == "Nope");
    CHECK(k.lang == language::fr);

    std::string error;
    std::vector<query_param> params{{"delay", "1s"}, {"lang", "xx"}, {"final", "100"}};
    CHECK_FALSE(parse_status_knobs(params, max_delay, error));
    CHECK(contains(error, "invalid lang='xx'"));
    CHECK_FALSE(contains(error, "final"));
}

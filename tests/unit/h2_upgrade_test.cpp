// Upgrade: h2c (RFC 7540 §3.2): which HTTP/1.1 requests ask for it, and the request as stream 1.

#include "router_fixture.hpp"
#include "wire/h2c_upgrade.hpp"

#include <catch2/catch.hpp>

using namespace teapot;
using teapot::test::make_request;

namespace {

// curl 7.88's HTTP2-Settings: MAX_CONCURRENT_STREAMS 100, INITIAL_WINDOW_SIZE 33554432, ENABLE_PUSH 0.
constexpr std::string_view curl_settings = "AAMAAABkAAQCAAAAAAIAAAAA";

test::header_list asking(std::string_view settings = curl_settings) {
    return {{"Host", "t:80"},
            {"Connection", "Upgrade, HTTP2-Settings"},
            {"Upgrade", "h2c"},
            {"HTTP2-Settings", settings},
            {"X-Kept", "yes"}};
}

}  // namespace

TEST_CASE("h2c upgrade: the SETTINGS of a request that asks, decoded from base64url", "[http2]") {
    auto settings = detail::h2c_upgrade_settings(make_request("GET", "/", asking()));
    REQUIRE(settings);
    CHECK(settings->size() == 18);  // three entries of 6 bytes
    CHECK(settings->substr(0, 6) == std::string("\x00\x03\x00\x00\x00\x64", 6));
    CHECK(detail::h2c_upgrade_settings(make_request("GET", "/", asking(""))));  // no SETTINGS at all is valid
}

TEST_CASE("h2c upgrade: a request that asks wrongly is HTTP/1.1's", "[http2]") {
    auto without = [](std::string_view name) {
        auto headers = asking();
        std::erase_if(headers, [&](const auto& h) { return h.first == name; });
        return make_request("GET", "/", headers);
    };
    CHECK_FALSE(detail::h2c_upgrade_settings(without("Upgrade")));
    CHECK_FALSE(detail::h2c_upgrade_settings(without("Connection")));
    CHECK_FALSE(detail::h2c_upgrade_settings(without("HTTP2-Settings")));
    CHECK_FALSE(detail::h2c_upgrade_settings(make_request("GET", "/", asking("AAMAAABk!AAA"))));  // not base64url
    CHECK_FALSE(detail::h2c_upgrade_settings(make_request("GET", "/", asking("AAMA"))));  // 3 bytes: no whole entry
    auto twice = asking();
    twice.emplace_back("HTTP2-Settings", curl_settings);
    CHECK_FALSE(detail::h2c_upgrade_settings(make_request("GET", "/", twice)));
    CHECK_FALSE(detail::h2c_upgrade_settings(make_request("GET", "/", asking(), 10)));  // HTTP/1.0
    auto websocket = asking();
    websocket[2].second = "websocket";
    CHECK_FALSE(detail::h2c_upgrade_settings(make_request("GET", "/", websocket)));
}

TEST_CASE("h2c upgrade: the request becomes stream 1, without HTTP/1's connection fields", "[http2]") {
    auto req = make_request("POST", "/anything?q=1", asking());
    req.body = "the body";
    auto s = detail::stream_of_http1(req, nullptr);
    CHECK(s->id == 1);
    CHECK(s->method == "POST");
    CHECK(s->path == "/anything?q=1");
    CHECK(s->authority == "t:80");
    CHECK(s->body == "the body");
    CHECK(s->request_complete);
    REQUIRE(s->fields.size() == 1);
    CHECK(s->fields[0] == std::pair<std::string, std::string>{"x-kept", "yes"});
}

// Who may use the admin API: loopback peers without a token; anyone with the
// right bearer token when one is set; nobody else.

#include <catch2/catch.hpp>

#include "admin/admin_access.hpp"

using namespace teapot::detail;

namespace {

request from(bool loopback, std::string_view authorization = {}) {
    request req;
    req.method = "GET";
    req.target = "/__teapot/health";
    req.from_loopback = loopback;
    if (!authorization.empty()) req.headers.emplace_back("Authorization", authorization);
    return req;
}

}  // namespace

TEST_CASE("admin access: which peers are loopback", "[admin]") {
    auto loopback = [](const char* text) { return is_loopback_peer(boost::asio::ip::make_address(text)); };
    CHECK(loopback("127.0.0.1"));
    CHECK(loopback("127.5.6.7"));
    CHECK(loopback("::1"));
    CHECK(loopback("::ffff:127.0.0.1"));  // IPv4 loopback on a dual-stack socket
    CHECK_FALSE(loopback("192.0.2.2"));
    CHECK_FALSE(loopback("::ffff:192.0.2.2"));
    CHECK_FALSE(loopback("fd00::2"));
    CHECK_FALSE(loopback("0.0.0.0"));
    CHECK_FALSE(loopback("::"));
}

TEST_CASE("admin access: loopback only without a token", "[admin]") {
    admin_settings open{true, ""};
    CHECK(admin_access(from(true), open) == admin_refusal::none);
    CHECK(admin_access(from(false), open) == admin_refusal::not_loopback);
    CHECK(admin_access(from(false, "Bearer anything"), open) == admin_refusal::not_loopback);
}

TEST_CASE("admin access: with a token, the token from anywhere, loopback included", "[admin]") {
    admin_settings locked{true, "t0ken"};
    CHECK(admin_access(from(false, "Bearer t0ken"), locked) == admin_refusal::none);
    CHECK(admin_access(from(false, "BEARER t0ken"), locked) == admin_refusal::none);
    CHECK(admin_access(from(true), locked) == admin_refusal::bad_token);
    CHECK(admin_access(from(true, "Bearer t0ke"), locked) == admin_refusal::bad_token);
    CHECK(admin_access(from(true, "Bearer t0kenX"), locked) == admin_refusal::bad_token);
    CHECK(admin_access(from(true, "Basic t0ken"), locked) == admin_refusal::bad_token);
    CHECK(admin_access(from(true, "Bearer "), locked) == admin_refusal::bad_token);
}

namespace {

request with(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
    auto req = from(true);
    for (const auto& f : fields) req.headers.emplace_back(f.first, f.second);
    return req;
}

}  // namespace

TEST_CASE("admin access: web pages of other origins are refused, with or without a token", "[admin]") {
    admin_settings open{true, ""};
    CHECK(admin_access(with({{"Host", "127.0.0.1:8080"}, {"Origin", "https://evil.example"}}), open) ==
          admin_refusal::cross_site);
    CHECK(admin_access(with({{"Host", "127.0.0.1:8080"}, {"Origin", "null"}}), open) == admin_refusal::cross_site);
    CHECK(admin_access(with({{"Host", "127.0.0.1:8080"}, {"Sec-Fetch-Site", "cross-site"}}), open) ==
          admin_refusal::cross_site);
    CHECK(admin_access(with({{"Host", "127.0.0.1:8080"}, {"Origin", "http://127.0.0.1:8080"}}), open) ==
          admin_refusal::none);
    admin_settings locked{true, "t0ken"};
    CHECK(admin_access(
              with({{"Host", "api.test"}, {"Origin", "https://evil.example"}, {"Authorization", "Bearer t0ken"}}),
              locked) == admin_refusal::cross_site);
}

TEST_CASE("admin access: without a token, Host names the loopback", "[admin]") {
    admin_settings open{true, ""};
    CHECK(admin_access(with({{"Host", "rebind.evil.example:8080"}}), open) == admin_refusal::foreign_host);
    CHECK(admin_access(with({{"Host", "localhost:8080"}}), open) == admin_refusal::none);
    CHECK(admin_access(with({{"Host", "[::1]:8080"}}), open) == admin_refusal::none);
    admin_settings locked{true, "t0ken"};
    CHECK(admin_access(with({{"Host", "rebind.evil.example"}, {"Authorization", "Bearer t0ken"}}), locked) ==
          admin_refusal::none);
}

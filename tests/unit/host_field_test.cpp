// The Host field and the origin a browser sends (RFC 9112 §3.2, RFC 6454).

#include "util/host_field.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace teapot::detail;

TEST_CASE("host field: uri-host with an optional port", "[host]") {
    for (std::string ok : {"localhost", "localhost:8080", "127.0.0.1", "127.0.0.1:1", "[::1]", "[::1]:80",
                           "127.0.0.1.nip.io:8080", "xn--bcher-kva.example", "a%20b", "host:"}) {
        INFO(ok);
        CHECK(parse_host_field(ok));
    }
    for (std::string bad :
         {"a b", "user@host", "host:port", "host:65536", "[::1", "[::1]x", "[zz]", "a/b", ":80", "", "a:b:c"}) {
        INFO(bad);
        CHECK_FALSE(parse_host_field(bad));
    }
    auto h = parse_host_field("[::1]:8080");
    REQUIRE(h);
    CHECK(h->host == "::1");
    CHECK(h->ipv6);
    CHECK(h->port == 8080);
}

TEST_CASE("host field: loopback names", "[host]") {
    auto loopback = [](std::string_view v) { return is_loopback_name(*parse_host_field(v)); };
    CHECK(loopback("localhost"));
    CHECK(loopback("LocalHost:1"));
    CHECK(loopback("127.0.0.1"));
    CHECK(loopback("127.9.9.9:80"));
    CHECK(loopback("[::1]:80"));
    CHECK_FALSE(loopback("127.0.0.1.nip.io"));
    CHECK_FALSE(loopback("localhost.evil.example"));
    CHECK_FALSE(loopback("10.0.0.1"));
    CHECK_FALSE(loopback("[::2]"));
}

TEST_CASE("host field: an origin is the server's own when it is http://<Host>", "[host]") {
    CHECK(is_origin_of_host("http://127.0.0.1:8080", "127.0.0.1:8080"));
    CHECK(is_origin_of_host("http://LOCALHOST:8080", "localhost:8080"));
    CHECK(is_origin_of_host("http://localhost", "localhost:80"));
    CHECK_FALSE(is_origin_of_host("http://127.0.0.1:3000", "127.0.0.1:8080"));
    CHECK_FALSE(is_origin_of_host("https://127.0.0.1:8080", "127.0.0.1:8080"));
    // Over TLS the page's origin is https: the dashboard served over HTTPS may use the API.
    CHECK(is_origin_of_host("https://127.0.0.1:8443", "127.0.0.1:8443", true));
    CHECK(is_origin_of_host("https://localhost", "localhost:443", true));
    CHECK_FALSE(is_origin_of_host("http://127.0.0.1:8443", "127.0.0.1:8443", true));
    CHECK_FALSE(is_origin_of_host("null", "127.0.0.1:8080"));
    CHECK_FALSE(is_origin_of_host("http://evil.example", "evil.example:80x"));
}

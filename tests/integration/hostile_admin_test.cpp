// Issue 13, finding 5: no web page may drive the admin API. A page of another origin
// could load scenarios and reset sessions with "simple" requests (no preflight), and
// after a DNS rebinding read the journal. Each case below was answered before the
// fix (204 to the preflight, 201, 200); the /status endpoints keep their CORS.

#include "client.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace teapot::test;

namespace {

const std::string scenario =
    "name: planted\nroutes:\n  - id: r\n    match: { path: /planted }\n    steps: [{ status: 299 }]\n";

bool loaded(std::uint16_t port) { return fetch(port, "/planted").status == 299; }

bool has_cors(const response& r) {
    for (const auto& [name, value] : r.headers)
        if (name.starts_with("Access-Control-") || name.starts_with("access-control-")) return true;
    return false;
}

// A request as a browser sends it for a page at `origin`, to teapot at 127.0.0.1:PORT.
response from_page(std::uint16_t port, std::string_view method, std::string_view target, std::string_view origin,
                   std::string_view extra = {}, std::string_view body = {}) {
    connection c{port};
    c.send(std::string{method} + " " + std::string{target} + " HTTP/1.1\r\n" + host_line(port) +
           "Origin: " + std::string{origin} + "\r\n" + std::string{extra} +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string{body});
    return c.read_response(method == "HEAD");
}

}  // namespace

TEST_CASE("admin: no CORS preflight is answered under /__teapot/, and no CORS field", "[hostile][admin]") {
    test_server s;
    connection c{s.port()};
    c.send("OPTIONS /__teapot/scenarios HTTP/1.1\r\n" + host_line(s.port()) +
           "Origin: https://evil.example\r\nAccess-Control-Request-Method: POST\r\n"
           "Access-Control-Request-Headers: content-type\r\n\r\n");
    auto r = c.read_response();
    CHECK(r.status == 403);
    CHECK_FALSE(has_cors(r));
    auto health = fetch(s.port(), "/__teapot/health");
    CHECK(health.status == 200);
    CHECK_FALSE(has_cors(health));
    // The /status endpoints keep theirs: that is a feature.
    connection p{s.port()};
    p.send("OPTIONS /status/200 HTTP/1.1\r\n" + host_line(s.port()) +
           "Origin: https://app.example\r\nAccess-Control-Request-Method: POST\r\n\r\n");
    auto preflight = p.read_response();
    CHECK(preflight.status == 204);
    CHECK(preflight.header("Access-Control-Allow-Origin") == "https://app.example");
}

TEST_CASE("admin: a page of another origin can neither load scenarios nor reset", "[hostile][admin]") {
    test_server s;
    // A "simple" request, which browsers send without asking: text/plain.
    auto post = from_page(s.port(), "POST", "/__teapot/scenarios", "https://evil.example",
                          "Content-Type: text/plain\r\n", scenario);
    CHECK(post.status == 403);
    CHECK_FALSE(loaded(s.port()));
    CHECK(from_page(s.port(), "POST", "/__teapot/reset", "https://evil.example").status == 403);
    CHECK(from_page(s.port(), "GET", "/__teapot/requests", "null").status == 403);
    // Another port of the same host is another origin too (a dev server on :3000).
    CHECK(from_page(s.port(), "POST", "/__teapot/reset", "http://127.0.0.1:3000").status == 403);
    // Fetch Metadata says the same without an Origin.
    CHECK(fetch(s.port(), "/__teapot/requests", "Sec-Fetch-Site: cross-site\r\n").status == 403);
    CHECK(fetch(s.port(), "/__teapot/requests", "Sec-Fetch-Site: same-site\r\n").status == 403);
}

TEST_CASE("admin: the server's own origin, tools and same-origin pages are served", "[hostile][admin]") {
    test_server s;
    const auto own = "http://127.0.0.1:" + std::to_string(s.port());
    CHECK(from_page(s.port(), "POST", "/__teapot/scenarios", own, "Content-Type: application/yaml\r\n", scenario)
              .status == 201);
    CHECK(loaded(s.port()));
    CHECK(from_page(s.port(), "POST", "/__teapot/reset", own).status == 200);
    CHECK(fetch(s.port(), "/__teapot/requests", "Sec-Fetch-Site: same-origin\r\n").status == 200);
    CHECK(fetch(s.port(), "/__teapot/requests", "Sec-Fetch-Site: none\r\n").status == 200);  // typed in the address bar
}

TEST_CASE("admin: without a token, a Host other than the loopback is refused (DNS rebinding)", "[hostile][admin]") {
    test_server s;
    auto journal_for = [&](std::string host) {
        connection c{s.port()};
        c.send("GET /__teapot/requests HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        return c.read_response().status;
    };
    fetch(s.port(), "/status/200", "Authorization: Bearer the-client-secret\r\n");
    CHECK(journal_for("rebind.evil.example:" + std::to_string(s.port())) == 403);
    CHECK(journal_for("localhost.evil.example") == 403);
    CHECK(journal_for("127.0.0.1.nip.io") == 403);
    for (std::string ok : std::vector<std::string>{"127.0.0.1", "127.0.0.1:" + std::to_string(s.port()), "localhost:1",
                                                   "LOCALHOST", "[::1]:" + std::to_string(s.port())}) {
        INFO(ok);
        CHECK(journal_for(ok) == 200);
    }
    SECTION("with a token, any Host, as behind a proxy") {
        auto o = test_options();
        o.admin_token = "t0ken";
        test_server locked{o};
        connection c{locked.port()};
        c.send("GET /__teapot/requests HTTP/1.1\r\nHost: teapot.internal\r\nAuthorization: Bearer t0ken\r\n\r\n");
        CHECK(c.read_response().status == 200);
    }
}

TEST_CASE("admin: a body must be JSON or YAML, and say so", "[hostile][admin]") {
    test_server s;
    for (std::string type : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
        INFO(type);
        auto r = send_body(s.port(), "POST", "/__teapot/scenarios", scenario, "Content-Type: " + type + "\r\n");
        CHECK(r.status == 415);
        CHECK(r.header("Accept") == "application/json, application/yaml");
    }
    CHECK(send_body(s.port(), "POST", "/__teapot/scenarios", scenario).status == 415);  // none at all
    CHECK_FALSE(loaded(s.port()));
    for (std::string type :
         {"application/yaml", "application/x-yaml", "text/yaml; charset=utf-8", "application/json"}) {
        INFO(type);
        CHECK(send_body(s.port(), "POST", "/__teapot/scenarios", scenario, "Content-Type: " + type + "\r\n").status /
                  100 ==
              2);
    }
    CHECK(loaded(s.port()));
    // Without a body (a reset, a delete), no media type is needed.
    CHECK(send_body(s.port(), "POST", "/__teapot/reset", "").status == 200);
}

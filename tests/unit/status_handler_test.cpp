#include <catch2/catch.hpp>

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"
#include "router/router.hpp"
#include "router_fixture.hpp"
#include "util/random_source.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using teapot::detail::framing;
using teapot::detail::handler_context;
using teapot::detail::message_head;
using teapot::detail::random_source;
using teapot::detail::request;
using teapot::detail::response_plan;
using teapot::detail::route;
using kind = teapot::detail::response_plan::kind;
using teapot::test::contains;
using teapot::test::field;
using teapot::test::has_field;
using teapot::test::header_list;
using teapot::test::make_request;
using teapot::test::router_fixture;

namespace {

std::size_t field_count(const message_head& head, std::string_view name) {
    std::size_t n = 0;
    for (const auto& h : head.headers)
        if (teapot::detail::iequals(h.name, name)) ++n;
    return n;
}

// How many times `member` appears in a comma-separated field value.
std::size_t list_count(std::string_view list, std::string_view member) {
    std::size_t n = 0;
    while (!list.empty()) {
        auto comma = list.find(',');
        auto item = list.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (teapot::detail::iequals(item, member)) ++n;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return n;
}

const header_list websocket_handshake{{"Host", "localhost"},
                                      {"Upgrade", "websocket"},
                                      {"Connection", "Upgrade"},
                                      {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                      {"Sec-WebSocket-Version", "13"}};

}  // namespace

TEST_CASE_METHOD(router_fixture, "/status/418: status, reason, headers and body", "[status_handler]") {
    auto plan = get("/status/418");
    CHECK(plan.action == kind::respond);
    CHECK(plan.delay == 0ms);
    CHECK(plan.interim.empty());
    CHECK(plan.final_head.status == 418);
    CHECK(plan.final_head.reason == "I'm a teapot");
    CHECK(plan.body_framing == framing::content_length);
    CHECK_FALSE(plan.omit_body);
    CHECK_FALSE(plan.close_after);
    CHECK(field(plan.final_head, "Content-Type") == "text/plain; charset=utf-8");
    CHECK(field(plan.final_head, "Vary") == "Accept, Accept-Language");
    CHECK(plan.body == "418 I'm a teapot\nThe server refuses to brew coffee because it is, permanently, a teapot.\n");
    // Framing is the writer's: the plan carries none of it.
    CHECK_FALSE(has_field(plan.final_head, "Content-Length"));
    CHECK_FALSE(has_field(plan.final_head, "Transfer-Encoding"));
    CHECK_FALSE(has_field(plan.final_head, "Connection"));
}

TEST_CASE_METHOD(router_fixture, "/status/418: CORS headers", "[status_handler][cors]") {
    SECTION("without Origin: any origin") {
        auto plan = get("/status/418");
        CHECK(field(plan.final_head, "Access-Control-Allow-Origin") == "*");
        CHECK_FALSE(has_field(plan.final_head, "Access-Control-Allow-Credentials"));
        REQUIRE(has_field(plan.final_head, "Access-Control-Expose-Headers"));
        auto exposed = field(plan.final_head, "Access-Control-Expose-Headers");
        CHECK(list_count(exposed, "Location") == 1);
        CHECK(list_count(exposed, "Retry-After") == 1);
        CHECK(list_count(exposed, "WWW-Authenticate") == 1);
        CHECK(list_count(exposed, "Content-Range") == 1);
    }
    SECTION("with Origin: echoed, with credentials, and Vary: Origin") {
        auto plan = get("/status/418", {{"Origin", "https://app.example"}});
        CHECK(field(plan.final_head, "Access-Control-Allow-Origin") == "https://app.example");
        CHECK(field(plan.final_head, "Access-Control-Allow-Credentials") == "true");
        CHECK(field(plan.final_head, "Vary") == "Accept, Accept-Language, Origin");
        CHECK(field_count(plan.final_head, "Access-Control-Allow-Origin") == 1);
    }
}

TEST_CASE_METHOD(router_fixture, "/status/418: negotiated format and language", "[status_handler]") {
    SECTION("JSON") {
        auto plan = get("/status/418", {{"Accept", "application/json"}});
        CHECK(plan.final_head.status == 418);
        CHECK(field(plan.final_head, "Content-Type") == "application/json");
        auto body = boost::json::parse(plan.body.view()).as_object();
        CHECK(body.at("code").as_int64() == 418);
        CHECK(body.at("name").as_string() == "I'm a teapot");
        CHECK(body.at("class").as_string() == "4xx");
        CHECK(body.at("category").as_string() == "Client error");
        CHECK(body.at("reference").as_string() == "RFC 2324 §2.3.2; RFC 9110 §15.5.19");
    }
    SECTION("problem+json for an error") {
        auto plan = get("/status/418", {{"Accept", "application/problem+json"}});
        CHECK(field(plan.final_head, "Content-Type") == "application/problem+json");
        auto body = boost::json::parse(plan.body.view()).as_object();
        CHECK(body.at("status").as_int64() == 418);
        CHECK(body.at("title").as_string() == "I'm a teapot");
        CHECK(body.at("type").as_string() == "about:blank");
    }
    SECTION("no problem+json for a success") {
        auto plan = get("/status/200", {{"Accept", "application/problem+json"}});
        CHECK(plan.final_head.status == 200);
        CHECK(field(plan.final_head, "Content-Type") == "text/plain; charset=utf-8");
    }
    SECTION("HTML") {
        auto plan = get("/status/418", {{"Accept", "text/html"}});
        CHECK(field(plan.final_head, "Content-Type") == "text/html; charset=utf-8");
        CHECK(contains(plan.body, "<title>418 I&#39;m a teapot</title>"));
    }
    SECTION("French from Accept-Language") {
        auto plan = get("/status/418", {{"Accept-Language", "fr-CA, en;q=0.5"}});
        CHECK(plan.body == "418 I'm a teapot\nLe serveur refuse la tentative de préparer du café avec une théière\n");
        // The reason phrase on the wire stays the catalogue's.
        CHECK(plan.final_head.reason == "I'm a teapot");
    }
    SECTION("?lang= wins over Accept-Language") {
        auto plan = get("/status/418?lang=en", {{"Accept-Language", "fr"}});
        CHECK(contains(plan.body, "permanently, a teapot"));
        plan = get("/status/418?lang=fr", {{"Accept-Language", "en"}});
        CHECK(contains(plan.body, "théière"));
    }
}

TEST_CASE_METHOD(router_fixture, "/status/444 closes without a byte", "[status_handler]") {
    auto plan = get("/status/444");
    CHECK(plan.action == kind::close_silently);
    CHECK(plan.interim.empty());
    CHECK(plan.body.empty());
    // No response, so no CORS headers either.
    CHECK(plan.final_head.headers.empty());

    plan = get("/status/444?delay=250ms");
    CHECK(plan.action == kind::close_silently);
    CHECK(plan.delay == 250ms);

    plan = get("/status/100?final=444");
    CHECK(plan.action == kind::close_silently);
}

TEST_CASE_METHOD(router_fixture, "/status/101 with a WebSocket handshake → echo", "[status_handler][websocket]") {
    auto plan = get("/status/101", websocket_handshake);
    CHECK(plan.action == kind::websocket_echo);
    CHECK(plan.interim.empty());

    // Connection and Upgrade are lists; tokens are case-insensitive (RFC 9110 §7.6.1, §7.8).
    plan = get("/status/101", {{"Upgrade", "WebSocket"},
                               {"Connection", "keep-alive, upgrade"},
                               {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                               {"Sec-WebSocket-Version", "13"}});
    CHECK(plan.action == kind::websocket_echo);
}

TEST_CASE_METHOD(router_fixture, "/status/101 without a handshake → 426", "[status_handler][websocket]") {
    auto check_426 = [](const response_plan& plan) {
        CHECK(plan.action == kind::respond);
        CHECK(plan.final_head.status == 426);
        CHECK(plan.final_head.reason == "Upgrade Required");
        CHECK(field(plan.final_head, "Upgrade") == "websocket");
        CHECK(field(plan.final_head, "Connection") == "Upgrade");
        CHECK(field(plan.final_head, "Content-Type") == "text/plain; charset=utf-8");
        CHECK(contains(plan.body, "Upgrade: websocket"));
        CHECK(plan.interim.empty());
    };
    SECTION("no Upgrade") { check_426(get("/status/101")); }
    SECTION("Upgrade without Connection: upgrade") { check_426(get("/status/101", {{"Upgrade", "websocket"}})); }
    SECTION("another protocol") {
        check_426(get("/status/101", {{"Upgrade", "h2c"}, {"Connection", "Upgrade, HTTP2-Settings"}}));
    }
    SECTION("HTTP/1.0") { check_426(get("/status/101", websocket_handshake, 10)); }
    SECTION("not GET") { check_426(route(make_request("POST", "/status/101", websocket_handshake), ctx)); }
}

TEST_CASE_METHOD(router_fixture, "/status/101 over HTTP/2 asks for HTTP/1.1 (RFC 9113 §8.6: no 101 in HTTP/2)",
                 "[status_handler][websocket][http2]") {
    CHECK(get("/status/101", {}, 20).action == kind::http11_required);
    CHECK(get("/status/101?delay=10ms", {}, 20).action == kind::http11_required);
    CHECK(get("/status/426", {}, 20).final_head.status == 426);  // asked for, it is a status like any other
}

TEST_CASE_METHOD(router_fixture, "1xx: interim heads, then the final response", "[status_handler]") {
    SECTION("100 then 200") {
        auto plan = get("/status/100");
        CHECK(plan.action == kind::respond);
        REQUIRE(plan.interim.size() == 1);
        CHECK(plan.interim[0].status == 100);
        CHECK(plan.interim[0].reason == "Continue");
        CHECK(plan.interim[0].headers.empty());
        CHECK(plan.final_head.status == 200);
        CHECK(plan.final_head.reason == "OK");
        CHECK(contains(plan.body, "200 OK"));
    }
    SECTION("103 carries Link hints") {
        auto plan = get("/status/103");
        REQUIRE(plan.interim.size() == 1);
        CHECK(plan.interim[0].status == 103);
        CHECK(plan.interim[0].reason == "Early Hints");
        REQUIRE(has_field(plan.interim[0], "Link"));
        CHECK(contains(field(plan.interim[0], "Link"), "rel=preload"));
        CHECK(plan.final_head.status == 200);
    }
    SECTION("?final= picks the final status") {
        auto plan = get("/status/102?final=404");
        REQUIRE(plan.interim.size() == 1);
        CHECK(plan.interim[0].status == 102);
        CHECK(plan.interim[0].reason == "Processing");
        CHECK(plan.final_head.status == 404);
        CHECK(plan.final_head.reason == "Not Found");
    }
    SECTION("HTTP/1.0: no interim, the final response alone") {
        auto plan = get("/status/100", {}, 10);
        CHECK(plan.action == kind::respond);
        CHECK(plan.interim.empty());
        CHECK(plan.final_head.status == 200);

        plan = get("/status/103?final=503", {}, 10);
        CHECK(plan.interim.empty());
        CHECK(plan.final_head.status == 503);
    }
    SECTION("a 1xx final is refused") {
        auto plan = get("/status/100?final=101");
        CHECK(plan.final_head.status == 400);
        CHECK(plan.interim.empty());
        CHECK(contains(plan.body, "invalid final='101'"));
    }
    SECTION("an unknown 1xx code is interim too") {
        auto plan = get("/status/150");
        REQUIRE(plan.interim.size() == 1);
        CHECK(plan.interim[0].status == 150);
        CHECK(plan.interim[0].reason == "Unknown Informational");
        CHECK(plan.final_head.status == 200);
    }
}

TEST_CASE_METHOD(router_fixture, "204 and 304 have no framing and no body", "[status_handler]") {
    auto plan = get("/status/204");
    CHECK(plan.final_head.status == 204);
    CHECK(plan.final_head.reason == "No Content");
    CHECK(plan.body_framing == framing::none);
    CHECK(plan.body.empty());
    CHECK_FALSE(has_field(plan.final_head, "Content-Type"));

    plan = get("/status/304");
    CHECK(plan.final_head.status == 304);
    CHECK(plan.body_framing == framing::none);
    CHECK(plan.body.empty());
    CHECK(field(plan.final_head, "ETag") == "\"teapot-304\"");
    // 304 is not a redirect: no Location.
    CHECK_FALSE(has_field(plan.final_head, "Location"));

    // Even a ?body= does not give them content.
    plan = get("/status/204?body=nope");
    CHECK(plan.body_framing == framing::none);
    CHECK(plan.body.empty());

    // 205 has no content but is framed by Content-Length: 0 (RFC 9110 §15.3.6).
    plan = get("/status/205");
    CHECK(plan.final_head.status == 205);
    CHECK(plan.body_framing == framing::content_length);
    CHECK(plan.body.empty());
}

TEST_CASE_METHOD(router_fixture, "HEAD: the GET headers, no body sent", "[status_handler]") {
    auto head_plan = route(make_request("HEAD", "/status/418"), ctx);
    auto get_plan = get("/status/418");
    CHECK(head_plan.omit_body);
    CHECK_FALSE(get_plan.omit_body);
    CHECK(head_plan.final_head.status == 418);
    // The body stays in the plan so that Content-Length matches GET's (RFC 9110 §9.3.2).
    CHECK(head_plan.body == get_plan.body);
    REQUIRE(head_plan.final_head.headers.size() == get_plan.final_head.headers.size());
    for (std::size_t i = 0; i < get_plan.final_head.headers.size(); ++i) {
        CHECK(head_plan.final_head.headers[i].name == get_plan.final_head.headers[i].name);
        CHECK(head_plan.final_head.headers[i].value == get_plan.final_head.headers[i].value);
    }

    // HEAD on an error and on another resource.
    CHECK(route(make_request("HEAD", "/status/abc"), ctx).omit_body);
    CHECK(route(make_request("HEAD", "/nowhere"), ctx).omit_body);
}

TEST_CASE_METHOD(router_fixture, "per-code headers", "[status_handler]") {
    CHECK(field(get("/status/201").final_head, "Location") == "/status/200");
    CHECK(field(get("/status/302").final_head, "Location") == "/status/200");
    CHECK(field(get("/status/307?location=/elsewhere").final_head, "Location") == "/elsewhere");
    CHECK(field(get("/status/401").final_head, "WWW-Authenticate") == "Basic realm=\"teapot\", charset=\"UTF-8\"");
    CHECK(field(get("/status/407").final_head, "Proxy-Authenticate") == "Basic realm=\"teapot\", charset=\"UTF-8\"");
    CHECK(field(get("/status/405").final_head, "Allow") == "GET, HEAD");
    CHECK(get("/status/408").close_after);
    CHECK_FALSE(get("/status/409").close_after);
    CHECK(field(get("/status/503").final_head, "Retry-After") == "1");
    CHECK(field(get("/status/429?retry_after=30").final_head, "Retry-After") == "30");
    CHECK(field(get("/status/429").final_head, "Cache-Control") == "no-store");
    CHECK(field(get("/status/511").final_head, "Cache-Control") == "no-store");
    CHECK_FALSE(has_field(get("/status/500").final_head, "Cache-Control"));
    CHECK_FALSE(has_field(get("/status/200").final_head, "Location"));
    CHECK_FALSE(has_field(get("/status/200").final_head, "Retry-After"));
}

TEST_CASE_METHOD(router_fixture, "knobs shape the plan", "[status_handler]") {
    SECTION("delay") { CHECK(get("/status/200?delay=250ms").delay == 250ms); }
    SECTION("reason") {
        auto plan = get("/status/418?reason=Short%20and%20Stout");
        CHECK(plan.final_head.reason == "Short and Stout");
    }
    SECTION("body and content_type") {
        auto plan = get("/status/200?body=hello&content_type=text/csv");
        CHECK(plan.body == "hello");
        CHECK(field(plan.final_head, "Content-Type") == "text/csv");
    }
    SECTION("header adds, and replaces teapot's field of that name") {
        auto plan = get("/status/503?header=X-Teapot:%20yes&header=Retry-After:%20120");
        CHECK(field(plan.final_head, "X-Teapot") == "yes");
        CHECK(field(plan.final_head, "Retry-After") == "120");
        CHECK(field_count(plan.final_head, "Retry-After") == 1);
    }
    SECTION("header replaces teapot's CORS fields too (README: replaces teapot's field of that name)") {
        auto plan = get("/status/418?header=Access-Control-Allow-Origin:%20https://only.example");
        CHECK(field(plan.final_head, "Access-Control-Allow-Origin") == "https://only.example");
        CHECK(field_count(plan.final_head, "Access-Control-Allow-Origin") == 1);
    }
    SECTION("repeated header gives several fields") {
        auto plan = get("/status/200?header=Set-Cookie:a=1&header=Set-Cookie:b=2");
        CHECK(field_count(plan.final_head, "Set-Cookie") == 2);
    }
}

TEST_CASE_METHOD(router_fixture, "an empty query or empty query pairs are no knobs", "[status_handler]") {
    // application/x-www-form-urlencoded parsing skips empty name=value sequences; "?" alone is no knob.
    {
        auto plan = get("/status/418?");
        INFO(plan.body.view());
        CHECK(plan.final_head.status == 418);
    }
    {
        auto plan = get("/status/418?delay=1s&");
        INFO(plan.body.view());
        CHECK(plan.final_head.status == 418);
        CHECK(plan.delay == 1s);
    }
    {
        auto plan = get("/status/418?&&lang=fr");
        INFO(plan.body.view());
        CHECK(plan.final_head.status == 418);
        CHECK(contains(plan.body, "théière"));
    }
}

TEST_CASE_METHOD(router_fixture, "206 serves the requested range", "[status_handler]") {
    SECTION("one range") {
        auto plan = get("/status/206?body=0123456789", {{"Range", "bytes=2-5"}});
        CHECK(plan.final_head.status == 206);
        CHECK(plan.body == "2345");
        CHECK(field(plan.final_head, "Content-Range") == "bytes 2-5/10");
        CHECK(field(plan.final_head, "Accept-Ranges") == "bytes");
    }
    SECTION("several ranges: multipart/byteranges") {
        auto plan = get("/status/206?body=0123456789", {{"Range", "bytes=0-1,-2"}});
        CHECK(plan.final_head.status == 206);
        auto content_type = field(plan.final_head, "Content-Type");
        CHECK(content_type.starts_with("multipart/byteranges; boundary="));
        CHECK_FALSE(has_field(plan.final_head, "Content-Range"));
        CHECK(contains(plan.body, "Content-Range: bytes 0-1/10\r\n\r\n01\r\n"));
        CHECK(contains(plan.body, "Content-Range: bytes 8-9/10\r\n\r\n89\r\n"));
    }
    SECTION("unsatisfiable: 416 with the length") {
        auto plan = get("/status/206?body=0123456789", {{"Range", "bytes=10-"}});
        CHECK(plan.final_head.status == 416);
        CHECK(field(plan.final_head, "Content-Range") == "bytes */10");
    }
}

TEST_CASE_METHOD(router_fixture, "a list of codes draws from the seeded stream", "[status_handler]") {
    std::set<int> seen;
    for (int i = 0; i < 200; ++i) {
        int status = get("/status/200,503").final_head.status;
        CHECK((status == 200 || status == 503));
        seen.insert(status);
    }
    CHECK(seen.size() == 2);

    random_source a{std::uint64_t{99}}, b{std::uint64_t{99}};
    handler_context ctx_a, ctx_b;  // members set one by one: g++ 12 warns of the aggregate form here
    ctx_a.random = &a;
    ctx_b.random = &b;
    auto req = make_request("GET", "/status/200:1,404:1,500:1");
    for (int i = 0; i < 50; ++i) CHECK(route(req, ctx_a).final_head.status == route(req, ctx_b).final_head.status);
}

TEST_CASE_METHOD(router_fixture, "400 for a bad code or knob", "[status_handler]") {
    auto check_400 = [](const response_plan& plan, std::string_view says) {
        INFO(plan.body.view());
        CHECK(plan.action == kind::respond);
        CHECK(plan.final_head.status == 400);
        CHECK(plan.final_head.reason == "Bad Request");
        CHECK(contains(plan.body, says));
        CHECK(field(plan.final_head, "Access-Control-Allow-Origin") == "*");
    };
    check_400(get("/status/abc"), "invalid status code 'abc'");
    check_400(get("/status/600"), "invalid status code '600'");
    check_400(get("/status/0200"), "invalid status code '0200'");
    check_400(get("/status/99"), "invalid status code '99'");
    check_400(get("/status"), "missing status code");
    check_400(get("/status/"), "missing status code");
    check_400(get("/status/200:-1"), "invalid weight '-1'");
    check_400(get("/status/418?delay=2h"), "exceeds the maximum delay");
    // Percent-decoding happens before validation: an encoded CR LF is still refused.
    check_400(get("/status/418?header=X-A:%20a%0D%0ASet-Cookie:%20x=1"), "invalid header value for X-A");
    check_400(get("/status/302?location=%0D%0Aevil"), "invalid location=");
    check_400(get("/status/%zz"), "malformed request target");

    SECTION("as problem+json when asked") {
        auto plan = get("/status/abc", {{"Accept", "application/problem+json"}});
        CHECK(plan.final_head.status == 400);
        CHECK(field(plan.final_head, "Content-Type") == "application/problem+json");
        auto body = boost::json::parse(plan.body.view()).as_object();
        CHECK(body.at("status").as_int64() == 400);
        CHECK(body.at("title").as_string() == "Bad Request");
        CHECK(contains(std::string{body.at("detail").as_string()}, "invalid status code 'abc'"));
    }
}

TEST_CASE_METHOD(router_fixture, "a CORS preflight gets 204", "[status_handler][cors]") {
    auto plan = route(make_request("OPTIONS", "/status/418",
                                   {{"Origin", "https://app.example"},
                                    {"Access-Control-Request-Method", "DELETE"},
                                    {"Access-Control-Request-Headers", "X-Custom, Content-Type"}}),
                      ctx);
    CHECK(plan.action == kind::respond);
    CHECK(plan.final_head.status == 204);
    CHECK(plan.final_head.reason == "No Content");
    CHECK(plan.body_framing == framing::none);
    CHECK(plan.body.empty());
    CHECK(field(plan.final_head, "Access-Control-Allow-Origin") == "https://app.example");
    CHECK(field(plan.final_head, "Access-Control-Allow-Credentials") == "true");
    CHECK(field(plan.final_head, "Access-Control-Allow-Methods") == "DELETE");
    CHECK(field(plan.final_head, "Access-Control-Allow-Headers") == "X-Custom, Content-Type");
    CHECK(field(plan.final_head, "Access-Control-Max-Age") == "600");
    REQUIRE(has_field(plan.final_head, "Vary"));
    auto vary = field(plan.final_head, "Vary");
    CHECK(list_count(vary, "Access-Control-Request-Method") == 1);
    CHECK(list_count(vary, "Access-Control-Request-Headers") == 1);
    // Each member once: the router's CORS pass must not append a second Origin.
    CHECK(list_count(vary, "Origin") == 1);
    CHECK(field_count(plan.final_head, "Access-Control-Allow-Origin") == 1);

    SECTION("even for a path that would be a 404") {
        auto other = route(make_request("OPTIONS", "/nope",
                                        {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "GET"}}),
                           ctx);
        CHECK(other.final_head.status == 204);
        CHECK_FALSE(has_field(other.final_head, "Access-Control-Allow-Headers"));
    }
}

TEST_CASE_METHOD(router_fixture, "tls- faults: planned over the TLS version they need, 400 elsewhere",
                 "[status_handler][tls]") {
    auto over = [this](std::string_view target, const char* version, const char* cipher = "TLS_AES_128_GCM_SHA256") {
        auto req = make_request("GET", target);
        if (version) {
            teapot::tls_facts facts;
            facts.version = version;
            facts.cipher = cipher;
            req.tls = std::make_shared<const teapot::tls_facts>(std::move(facts));
        }
        return route(req, ctx);
    };
    using fk = teapot::detail::fault::kind;
    ctx.tls_alerts = true;
    SECTION("each planned with its count") {
        auto plan = over("/status/200?fault=tls-no-close-notify:5", "TLSv1.3");
        CHECK(plan.final_head.status == 200);
        CHECK(plan.fault.what == fk::tls_no_close_notify);
        CHECK(plan.fault.kept_bytes() == 5u);
        CHECK(over("/status/200?fault=tls-bad-record", "TLSv1.2").fault.kept_bytes() == std::nullopt);
        CHECK(over("/status/200?fault=tls-key-update", "TLSv1.3").fault.what == fk::tls_key_update);
        CHECK(over("/status/200?fault=tls-renegotiate", "TLSv1.2").fault.what == fk::tls_renegotiate);
        CHECK(over("/status/200?fault=tls-renegotiate", "TLSv1").fault.what == fk::tls_renegotiate);
        CHECK(over("/status/204?fault=tls-key-update", "TLSv1.3").final_head.status == 204);  // no body needed
        auto alert = over("/status/204?fault=tls-alert:internal_error", "TLSv1.3").fault;
        CHECK(alert.what == fk::tls_alert);
        CHECK(alert.alert == 80);
        CHECK(over("/status/200?fault=tls-alert:certificate_required", "TLSv1.2", "ECDHE-RSA-CHACHA20-POLY1305")
                  .fault.alert == 116);
    }
    SECTION("refused where they cannot break the stream, or misfit the body") {
        auto says = [](const teapot::detail::response_plan& plan, std::string_view text) {
            INFO(plan.body.view());
            CHECK(plan.final_head.status == 400);
            CHECK(plan.fault.what == fk::none);
            CHECK(contains(plan.body, text));
        };
        says(over("/status/200?fault=tls-bad-record", nullptr), "came over plain HTTP");
        says(over("/status/200?fault=tls-key-update", "TLSv1.2"), "needs TLS 1.3");
        says(over("/status/200?fault=tls-renegotiate", "TLSv1.3"), "TLS 1.3 has no renegotiation");
        says(over("/status/200?fault=tls-no-close-notify:1KB", "TLSv1.3"), "must keep fewer bytes than the body has");
        says(over("/status/204?fault=tls-bad-record", "TLSv1.3"), "needs a response with a body");
        says(over("/status/200?fault=tls-key-update:5", "TLSv1.3"), "takes no value");
        says(over("/status/200?fault=tls-bad-record:x", "TLSv1.3"), "body bytes to send first");
        says(over("/status/200?fault=tls-alert:internal_error", nullptr), "came over plain HTTP");
        says(over("/status/200?fault=tls-alert:internal_error", "TLSv1.2", "ECDHE-ECDSA-AES128-SHA256"),
             "ECDHE-ECDSA-AES128-SHA256");
        says(over("/status/200?fault=tls-alert:internal_error", "TLSv1", "ECDHE-ECDSA-AES128-SHA"), "TLSv1 with");
        says(over("/status/200?fault=tls-alert:teapot", "TLSv1.3"), "takes an alert's name, one of: close_notify");
        says(over("/status/200?fault=tls-alert", "TLSv1.3"), "takes an alert's name");
        ctx.tls_alerts = false;
        says(over("/status/200?fault=tls-alert:internal_error", "TLSv1.3"), "needs teapot started with --tls-alerts");
        CHECK(
            over("/status/200?fault=tls-alert:internal_error", "TLSv1.2", "ECDHE-ECDSA-AES128-GCM-SHA256").fault.what ==
            fk::tls_alert);
    }
}

TEST_CASE_METHOD(router_fixture,
                 "frame faults: rst_stream, goaway, flow_stall and the wire lies over HTTP/2, a 400 over HTTP/1",
                 "[status_handler][faults][http2]") {
    using fk = teapot::detail::fault::kind;
    using point = teapot::detail::fault::stream_point;
    auto h2 = [this](std::string_view target) { return get(target, {}, 20); };
    SECTION("each planned with its code and point") {
        auto f = h2("/status/200?fault=rst_stream:REFUSED_STREAM").fault;
        CHECK(f.what == fk::rst_stream);
        CHECK(f.h2_code == 7);
        CHECK(f.at == point::before_headers);
        CHECK(h2("/status/200?fault=rst_stream:cancel:after-headers").fault.at == point::after_headers);
        f = h2("/status/200?fault=rst_stream:INTERNAL_ERROR:mid-body:10B").fault;
        CHECK(f.at == point::mid_body);
        CHECK(f.kept_bytes() == 10u);
        CHECK(h2("/status/204?fault=rst_stream:NO_ERROR:after-body").fault.at == point::after_body);
        f = h2("/status/200?fault=goaway:ENHANCE_YOUR_CALM").fault;
        CHECK(f.what == fk::goaway);
        CHECK(f.h2_code == 11);
        CHECK_FALSE(f.after_response);
        CHECK_FALSE(f.last_stream_id);
        CHECK(h2("/status/200?fault=goaway:NO_ERROR:after").fault.after_response);
        CHECK_FALSE(h2("/status/200?fault=goaway:NO_ERROR:after").fault.shutdown_notice);
        f = h2("/status/200?fault=goaway:NO_ERROR:notice").fault;
        CHECK((f.after_response && f.shutdown_notice));
        CHECK(h2("/status/200?fault=goaway:NO_ERROR:0").fault.last_stream_id == 0u);
        CHECK(h2("/status/200?fault=flow_stall").fault.what == fk::flow_stall);
        CHECK(h2("/status/200?fault=flow_stall:2s").fault.hang_for == std::chrono::milliseconds{2000});
        CHECK(h2("/status/200?fault=unknown_frame").fault.what == fk::unknown_frame);
        CHECK(h2("/status/200?fault=table_size_update").fault.what == fk::table_size_update);
        CHECK(h2("/status/200?fault=settings_no_ack").fault.what == fk::settings_no_ack);
        CHECK(h2("/status/200?fault=continuation").fault.count == 3u);
        CHECK(h2("/status/200?fault=continuation:10000").fault.count == 10000u);
        f = h2("/status/200?fault=ping").fault;
        CHECK((f.what == fk::ping && f.count == 1u && f.hang_for == std::chrono::milliseconds{1000}));
        CHECK(h2("/status/200?fault=tiny_window:100B").fault.bytes == 100u);
        CHECK(h2("/status/200?fault=tiny_window:0B").fault.what == fk::tiny_window);
        CHECK(h2("/status/200?fault=max_streams:0").fault.count == 0u);
        CHECK(h2("/status/200?fault=max_streams:1000").fault.count == 1000u);
        f = h2("/status/200?fault=ping:64:250ms").fault;
        CHECK((f.count == 64u && f.hang_for == std::chrono::milliseconds{250}));
    }
    SECTION("refused with what is wrong") {
        auto says = [](const teapot::detail::response_plan& plan, std::string_view text) {
            INFO(plan.body.view());
            CHECK(plan.final_head.status == 400);
            CHECK(contains(plan.body, text));
        };
        says(get("/status/200?fault=rst_stream:CANCEL"), "works on HTTP/2's frames");
        says(get("/status/200?fault=goaway:NO_ERROR"), "came over HTTP/1");
        says(h2("/status/200?fault=rst_stream"), "takes an HTTP/2 error code, one of NO_ERROR");
        says(h2("/status/200?fault=rst_stream:TEAPOT"), "takes an HTTP/2 error code");
        says(h2("/status/200?fault=rst_stream:CANCEL:mid-body"), ":mid-body:100B");
        says(h2("/status/200?fault=rst_stream:CANCEL:mid-body:1MB"), "must keep fewer bytes than the body has");
        says(h2("/status/200?fault=rst_stream:CANCEL:later"), "then where");
        says(h2("/status/200?fault=goaway:NO_ERROR:soon"), "then :after (after the answer), :notice");
        says(h2("/status/200?fault=goaway:NO_ERROR:2147483648"), "the last stream id");
        says(h2("/status/200?fault=flow_stall:forever"), "takes a duration");
        says(get("/status/200?fault=continuation:2"), "works on HTTP/2's frames");
        says(get("/status/200?fault=unknown_frame"), "works on HTTP/2's frames");
        says(h2("/status/200?fault=continuation:0"), "1 to 10000");
        says(h2("/status/200?fault=continuation:10001"), "1 to 10000");
        says(h2("/status/200?fault=unknown_frame:2"), "takes no value");
        says(h2("/status/200?fault=ping:65"), "1 to 64");
        says(h2("/status/200?fault=tiny_window:2GiB"), "0B to 2GiB less a byte");
        says(h2("/status/200?fault=tiny_window"), "the window's size");
        says(h2("/status/200?fault=max_streams:1001"), "0 to 1000");
        says(get("/status/200?fault=max_streams:1"), "works on HTTP/2's frames");
        says(h2("/status/200?fault=ping:3:soon"), "how long the answer waits");
        says(get("/status/200?fault=ping:3"), "works on HTTP/2's frames");
    }
}

// httpbin's endpoints as pure functions: the request as httpbin reports it, its
// route rows (methods, --no-httpbin, --httpbin-prefix) and the prefix's rules.
// The same endpoints against httpbin itself: tests/httpbin/differential.py.

#include <catch2/catch.hpp>

#include "handlers/httpbin/cookie_syntax.hpp"
#include "handlers/httpbin/digest_syntax.hpp"
#include "handlers/httpbin/multipart.hpp"
#include "handlers/httpbin/prefix.hpp"
#include "handlers/httpbin/python_args.hpp"
#include "handlers/httpbin/python_random.hpp"
#include "handlers/httpbin/request_view.hpp"
#include "router/builtin_routes.hpp"
#include "router/router.hpp"
#include "router_fixture.hpp"
#include "util/hex_digest.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <regex>
#include <string>

namespace json = boost::json;
namespace httpbin = teapot::detail::httpbin;
using teapot::detail::find_builtin_route;
using teapot::detail::query_param;
using teapot::detail::route;
using teapot::test::field;
using teapot::test::make_request;
using teapot::test::router_fixture;

namespace {

json::value body_of(const teapot::detail::response_plan& plan) { return json::parse(plan.body.view()); }
json::value body_of_text(std::string_view text) { return json::parse(text); }

}  // namespace

TEST_CASE("httpbin: header names as WSGI gives them back, repeats joined, proxy fields hidden", "[httpbin]") {
    auto req = make_request("GET", "/get",
                            {{"host", "a.test"},
                             {"x-b3_traceid", "1"},
                             {"X-DUP", "a"},
                             {"x-dup", "b"},
                             {"X-Forwarded-For", "10.1.2.3"},
                             {"via", "1.1 proxy"}});
    auto headers = httpbin::headers_object(req, {});
    CHECK(json::serialize(headers) == R"({"Host":"a.test","X-B3-Traceid":"1","X-Dup":"a,b"})");
    auto shown = httpbin::headers_object(req, {{"show_env", ""}});
    CHECK(shown.at("X-Forwarded-For") == "10.1.2.3");
    CHECK(shown.at("Via") == "1.1 proxy");
    CHECK(httpbin::origin_of(req) == "10.1.2.3");
}

TEST_CASE("httpbin: origin is the peer's address without its port", "[httpbin]") {
    auto req = make_request("GET", "/ip");
    req.peer = "127.0.0.1:5555";
    CHECK(httpbin::origin_of(req) == "127.0.0.1");
    req.peer = "[::1]:5555";
    CHECK(httpbin::origin_of(req) == "::1");
}

TEST_CASE("httpbin: args and form keep one value as a string and several as a list", "[httpbin]") {
    auto req = make_request("POST", "/post?x", {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}});
    req.body = "a=1&a=2&b=x+y%21&c";
    std::vector<query_param> params{{"q", "1"}, {"q", "2"}, {"r", ""}};
    namespace f = httpbin::field;
    auto o = httpbin::echo(req, params, f::args | f::form | f::data | f::json | f::files);
    CHECK(json::serialize(o.at("args")) == R"({"q":["1","2"],"r":""})");
    CHECK(json::serialize(o.at("form")) == R"({"a":["1","2"],"b":"x y!","c":""})");
    CHECK(o.at("data") == "");  // a form's body is read into form, as Werkzeug does
    CHECK(o.at("json").is_null());
    CHECK(o.at("files").as_object().empty());
}

TEST_CASE("httpbin: data is the body as text when UTF-8, else a data URL, and json is parsed whatever the type",
          "[httpbin]") {
    namespace f = httpbin::field;
    auto req = make_request("POST", "/post", {{"Content-Type", "text/plain"}});
    req.body = R"({"k":[1,2]})";
    auto o = httpbin::echo(req, {}, f::data | f::json);
    CHECK(o.at("data") == R"({"k":[1,2]})");
    CHECK(json::serialize(o.at("json")) == R"({"k":[1,2]})");
    req.body = std::string_view{"\xFF\xFE", 2};
    o = httpbin::echo(req, {}, f::data | f::json);
    CHECK(o.at("data") == "data:application/octet-stream;base64,//4=");
    CHECK(o.at("json").is_null());
}

TEST_CASE("httpbin: json nested up to 256 deep is parsed, deeper is null", "[httpbin]") {
    namespace f = httpbin::field;
    auto req = make_request("POST", "/post");
    const std::string deep = std::string(256, '[') + std::string(256, ']');
    req.body = deep;
    CHECK(httpbin::echo(req, {}, f::json).at("json").is_array());
    const std::string deeper = std::string(257, '[') + std::string(257, ']');
    req.body = deeper;
    CHECK(httpbin::echo(req, {}, f::json).at("json").is_null());
}

TEST_CASE("httpbin: url is the scheme, Host and target, and a proxy X-Forwarded-Proto names the scheme", "[httpbin]") {
    namespace f = httpbin::field;
    auto req = make_request("GET", "/get?a=1", {{"Host", "h.test:8080"}});
    CHECK(httpbin::echo(req, {}, f::url).at("url") == "http://h.test:8080/get?a=1");
    req.headers.emplace_back("X-Forwarded-Proto", "https");
    CHECK(httpbin::echo(req, {}, f::url).at("url") == "https://h.test:8080/get?a=1");
}

TEST_CASE_METHOD(router_fixture, "httpbin: each endpoint answers its methods, 405 with Allow otherwise", "[httpbin]") {
    auto plan = route(make_request("GET", "/get?a=1", {{"Host", "h.test"}}), ctx);
    CHECK(plan.final_head.status == 200);
    CHECK(field(plan.final_head, "Content-Type") == "application/json");
    CHECK(body_of(plan).at("args").at("a") == "1");
    CHECK(plan.body.view().ends_with("}\n"));

    auto head = route(make_request("HEAD", "/get"), ctx);
    CHECK(head.omit_body);
    CHECK(head.final_head.status == 200);

    auto wrong = route(make_request("POST", "/get"), ctx);
    CHECK(wrong.final_head.status == 405);
    CHECK(field(wrong.final_head, "Allow") == "GET, HEAD, OPTIONS");
    wrong = route(make_request("GET", "/post"), ctx);
    CHECK(wrong.final_head.status == 405);
    CHECK(field(wrong.final_head, "Allow") == "POST, OPTIONS");

    auto options = route(make_request("OPTIONS", "/post"), ctx);
    CHECK(options.final_head.status == 200);
    CHECK(field(options.final_head, "Allow") == "POST, OPTIONS");

    for (auto method : {"GET", "POST", "PUT", "DELETE", "PATCH", "TRACE"}) {
        INFO(method);
        auto any = route(make_request(method, "/anything/a/b"), ctx);
        CHECK(any.final_head.status == 200);
        CHECK(body_of(any).at("method") == method);
    }
    CHECK(route(make_request("PUT", "/put"), ctx).final_head.status == 200);
    CHECK(route(make_request("PATCH", "/patch"), ctx).final_head.status == 200);
    CHECK(route(make_request("DELETE", "/delete"), ctx).final_head.status == 200);
}

TEST_CASE_METHOD(router_fixture, "httpbin: /uuid draws version 4 UUIDs from the server's stream", "[httpbin]") {
    const std::regex v4{"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"};
    auto first = std::string{body_of(get("/uuid")).at("uuid").as_string()};
    auto second = std::string{body_of(get("/uuid")).at("uuid").as_string()};
    CHECK(std::regex_match(first, v4));
    CHECK(std::regex_match(second, v4));
    CHECK(first != second);
    // The same seed draws the same UUIDs (--seed replays a run).
    teapot::detail::random_source again{std::uint64_t{1}};
    ctx.random = &again;
    CHECK(body_of(get("/uuid")).at("uuid").as_string() == first);
}

TEST_CASE_METHOD(router_fixture, "httpbin: --no-httpbin turns the endpoints off, --httpbin-prefix moves them",
                 "[httpbin]") {
    std::string_view rest;
    CHECK(find_builtin_route("/get", rest) != nullptr);
    ctx.httpbin.enabled = false;
    CHECK(get("/get").final_head.status == 404);
    CHECK(get("/status/418").final_head.status == 418);  // teapot's own stay

    ctx.httpbin = {true, "/httpbin"};
    CHECK(get("/get").final_head.status == 404);
    CHECK(get("/httpbin/get").final_head.status == 200);
    CHECK(get("/httpbin/anything/x").final_head.status == 200);
    CHECK(get("/httpbinx/get").final_head.status == 404);
    CHECK(get("/httpbin/status/418").final_head.status == 404);  // teapot's own are not under it
    CHECK(get("/status/418").final_head.status == 418);
}

TEST_CASE("httpbin: a prefix is / and segments of unreserved characters", "[httpbin]") {
    CHECK(httpbin::prefix_problem("/httpbin").empty());
    CHECK(httpbin::prefix_problem("/a/b-c.d_e~f").empty());
    CHECK_FALSE(httpbin::prefix_problem("httpbin").empty());
    CHECK_FALSE(httpbin::prefix_problem("/").empty());
    CHECK_FALSE(httpbin::prefix_problem("/httpbin/").empty());
    CHECK_FALSE(httpbin::prefix_problem("/a//b").empty());
    CHECK_FALSE(httpbin::prefix_problem("/a b").empty());
    CHECK_FALSE(httpbin::prefix_problem("/a%20").empty());
    CHECK_FALSE(httpbin::prefix_problem("/__teapot").empty());
}

TEST_CASE("httpbin: a Cookie field read as Werkzeug reads it", "[httpbin][cookies]") {
    using pairs = std::vector<std::pair<std::string, std::string>>;
    CHECK(httpbin::parse_cookie_field("a=1; b=\"quoted\"; c=x y; d=%41; e=\"\\101\"; f; =g; h=i=j") ==
          pairs{{"a", "1"}, {"b", "quoted"}, {"c", "x y"}, {"d", "%41"}, {"e", "A"}, {"f", ""}, {"h", "i=j"}});
    // A quoted value may hold ";" and escapes; one that does not close is read up to ";".
    CHECK(httpbin::parse_cookie_field("a=\"x;y\\\"z\" ; b=2") == pairs{{"a", "x;y\"z"}, {"b", "2"}});
    CHECK(httpbin::parse_cookie_field("a=\"open; b=2") == pairs{{"a", "\"open"}, {"b", "2"}});
    CHECK(httpbin::parse_cookie_field("") == pairs{});
    CHECK(httpbin::parse_cookie_field(";;  ; a = 1 ;") == pairs{{"a", "1"}});
}

TEST_CASE("httpbin: a cookie value written as Werkzeug writes it, and read back", "[httpbin][cookies]") {
    CHECK(httpbin::quoted_cookie_value("abc-1.2:3/=") == "abc-1.2:3/=");
    CHECK(httpbin::quoted_cookie_value("a b") == "\"a b\"");
    CHECK(httpbin::quoted_cookie_value("\"q\"") == "\"\\\"q\\\"\"");
    CHECK(httpbin::quoted_cookie_value("a;b,c") == "\"a\\073b\\054c\"");
    CHECK(httpbin::quoted_cookie_value("\xC3\xA9\r\n") == "\"\\303\\251\\015\\012\"");
    for (std::string value :
         {std::string{"a b"}, std::string{"x;y"}, std::string{"\"\\"}, std::string{"\0\x7f\xff", 3}}) {
        INFO(value);
        CHECK(httpbin::parse_cookie_field("k=" + httpbin::quoted_cookie_value(value)).at(0).second == value);
    }
}

TEST_CASE_METHOD(router_fixture, "httpbin: /cookies/set and /cookies/delete answer Set-Cookie and a 302 to /cookies",
                 "[httpbin][cookies]") {
    auto plan = get("/cookies/set?x=1&y=a%20b&x=2");
    CHECK(plan.final_head.status == 302);
    CHECK(field(plan.final_head, "Location") == "/cookies");
    std::vector<std::string> set;
    for (const auto& h : plan.final_head.headers)
        if (h.name == "Set-Cookie") set.push_back(h.value);
    CHECK(set == std::vector<std::string>{"x=1; Path=/", "y=\"a b\"; Path=/"});
    plan = get("/cookies/delete?x");
    CHECK(field(plan.final_head, "Set-Cookie") == "x=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/");
    plan = get("/cookies/set/n/v");
    CHECK(field(plan.final_head, "Set-Cookie") == "n=v; Path=/");
    CHECK(get("/cookies/set/n").final_head.status == 404);
    CHECK(get("/cookies/set/n/v/w").final_head.status == 404);
    CHECK(get("/cookies/set?a%20b=1").final_head.status == 400);  // not a token: never a cookie name
    auto jar = route(make_request("GET", "/cookies", {{"Cookie", "a=1; __utma=x; a=2"}}), ctx);
    CHECK(body_of(jar).at("cookies") == json::parse(R"({"a":"1"})"));
}

TEST_CASE_METHOD(router_fixture, "httpbin: redirects count down to /get, /redirect-to sends any Location",
                 "[httpbin][redirects]") {
    auto plan = route(make_request("GET", "/redirect/3", {{"Host", "h.test"}}), ctx);
    CHECK(plan.final_head.status == 302);
    CHECK(field(plan.final_head, "Location") == "/relative-redirect/2");
    plan = route(make_request("GET", "/redirect/2?absolute=true", {{"Host", "h.test"}}), ctx);
    CHECK(field(plan.final_head, "Location") == "http://h.test/absolute-redirect/1");
    CHECK(field(get("/redirect/1000000000000000000000").final_head, "Location") ==
          "/relative-redirect/999999999999999999999");
    CHECK(field(get("/relative-redirect/1").final_head, "Location") == "/get");
    CHECK(get("/redirect/0").final_head.status == 500);  // httpbin's assertion
    CHECK(get("/redirect/x").final_head.status == 404);
    plan = get("/redirect-to?url=http://a.test/x&status_code=307");
    CHECK(plan.final_head.status == 307);
    CHECK(field(plan.final_head, "Location") == "http://a.test/x");
    CHECK(get("/redirect-to?url=/x&status_code=200").final_head.status == 302);
    CHECK(get("/redirect-to?url=/x&status_code=abc").final_head.status == 500);
    // Made a URI as httpbin makes it; a control byte (a second field) is refused.
    CHECK(get("/redirect-to?url=/x%0D%0ASet-Cookie:%20a=1").final_head.status == 400);
    CHECK(field(get("/redirect-to?url=/a%20b%09c").final_head, "Location") == "/a%20b%09c");
    CHECK(field(get("/redirect-to?url=/a%2541%20%25").final_head, "Location") == "/a%41%20%");  // "%" kept as sent
    CHECK(field(get("/redirect-to?url=/%C3%A9%22").final_head, "Location") == "/%C3%A9%22");
    CHECK(field(get("/redirect-to?url=/a%22b%3Cc").final_head, "Location") == "/a\"b<c");  // ASCII: as given
    CHECK(get("/redirect-to?url=/x%00").final_head.status == 400);
    std::vector<std::string> hosts{"a.test"};
    ctx.allowed_redirect_hosts = hosts;
    CHECK(get("/redirect-to?url=http://a.test/x").final_head.status == 302);
    CHECK(get("/redirect-to?url=http://b.test/x").final_head.status == 400);
    CHECK(get("/redirect-to?url=/anywhere").final_head.status == 302);
    ctx.httpbin.prefix = "/hb";
    CHECK(field(get("/hb/redirect/2").final_head, "Location") == "/hb/relative-redirect/1");
}

TEST_CASE_METHOD(router_fixture, "httpbin: Basic and Bearer credentials, each refusal with httpbin's status",
                 "[httpbin][auth]") {
    auto with = [this](std::string_view target, std::string_view authorization) {
        return route(make_request("GET", target, {{"Authorization", authorization}}), ctx);
    };
    auto ok = with("/basic-auth/user/passwd", "Basic dXNlcjpwYXNzd2Q=");
    CHECK(ok.final_head.status == 200);
    CHECK(body_of(ok) == json::parse(R"({"authenticated":true,"user":"user"})"));
    auto refused = get("/basic-auth/user/passwd");
    CHECK(refused.final_head.status == 401);
    CHECK(field(refused.final_head, "WWW-Authenticate") == "Basic realm=\"Fake Realm\"");
    CHECK(with("/basic-auth/user/other", "Basic dXNlcjpwYXNzd2Q=").final_head.status == 401);
    CHECK(with("/basic-auth/user/passwd", "Basic dXNlcjpwYXNzd2Q").final_head.status == 401);  // no padding
    CHECK(with("/basic-auth/user/passwd", "Bearer dXNlcjpwYXNzd2Q=").final_head.status == 401);
    auto hidden = get("/hidden-basic-auth/user/passwd");
    CHECK(hidden.final_head.status == 404);
    CHECK(field(hidden.final_head, "WWW-Authenticate") == "<absent>");
    CHECK(get("/basic-auth/user").final_head.status == 404);

    auto bearer = with("/bearer", "Bearer abc");
    CHECK(body_of(bearer) == json::parse(R"({"authenticated":true,"token":"abc"})"));  // httpbin says "bc"
    auto no_token = get("/bearer");
    CHECK(no_token.final_head.status == 401);
    CHECK(field(no_token.final_head, "WWW-Authenticate") == "Bearer");
}

TEST_CASE_METHOD(router_fixture, "httpbin: /response-headers sends the pairs and lists them, never a framing field",
                 "[httpbin]") {
    auto plan = get("/response-headers?X-A=1&X-A=2&freeform=hello");
    CHECK(plan.final_head.status == 200);
    CHECK(
        body_of(plan) ==
        json::parse(R"({"Content-Length":"93","Content-Type":"application/json","X-A":["1","2"],"freeform":"hello"})"));
    CHECK(plan.body.size() == 93);  // the length it states is its own
    CHECK(get("/response-headers?Content-Length=5").final_head.status == 400);
    CHECK(get("/response-headers?transfer-encoding=chunked").final_head.status == 400);
    CHECK(get("/response-headers?X-A=a%0D%0AX-B:%201").final_head.status == 400);
    CHECK(get("/response-headers?a%20b=1").final_head.status == 400);
    CHECK(get("/response-headers?Connection=close").final_head.status == 400);  // as ?header= on /status
    CHECK(get("/response-headers?Location=https://elsewhere.test/").final_head.status == 200);
    std::vector<std::string> hosts{"a.test"};
    ctx.allowed_redirect_hosts = hosts;  // a public teapot: no open redirect through this endpoint either
    CHECK(get("/response-headers?Location=https://elsewhere.test/").final_head.status == 400);
    CHECK(get("/response-headers?Location=/here").final_head.status == 200);
    CHECK(get("/response-headers?Refresh=0;url=https://elsewhere.test/").final_head.status == 400);
}

TEST_CASE_METHOD(router_fixture, "httpbin: /etag answers 304 and 412 as httpbin, and never sends a broken ETag",
                 "[httpbin]") {
    auto with = [this](std::string_view name, std::string_view value) {
        return route(make_request("GET", "/etag/abc", {{name, value}}), ctx);
    };
    CHECK(with("If-None-Match", "W/\"abc\", \"x\"").final_head.status == 304);
    CHECK(field(with("If-None-Match", "*").final_head, "ETag") == "abc");
    CHECK(with("If-None-Match", "\"x\"").final_head.status == 200);
    CHECK(with("If-Match", "\"x\"").final_head.status == 412);
    CHECK(with("If-Match", "\"abc\"").final_head.status == 200);
    CHECK(get("/etag/a%0D%0AX:%201").final_head.status == 400);
    CHECK(field(get("/cache/007").final_head, "Cache-Control") == "public, max-age=7");
    CHECK(get("/cache/x").final_head.status == 404);
}

TEST_CASE_METHOD(router_fixture, "httpbin: /delay waits on the plan's timer, 10 s at most, 500 for no wait",
                 "[httpbin]") {
    CHECK(get("/delay/1.5").delay == std::chrono::milliseconds{1500});
    CHECK(get("/delay/1e3").delay == std::chrono::seconds{10});
    CHECK(get("/delay/inf").delay == std::chrono::seconds{10});
    ctx.max_delay = std::chrono::seconds{2};
    CHECK(get("/delay/5").delay == std::chrono::seconds{2});  // --max-delay bounds it too
    CHECK(get("/delay/-1").final_head.status == 500);
    CHECK(get("/delay/nan").final_head.status == 500);
    CHECK(get("/delay/x").final_head.status == 500);
}

TEST_CASE("httpbin: Python's random.seed and randint(0, 255), byte for byte", "[httpbin][streams]") {
    // python3 -c 'import random; random.seed(S); print([random.randint(0, 255) for _ in range(8)])'
    auto draw = [](std::string_view seed) {
        httpbin::python_random r{seed};
        std::vector<int> out;
        for (int i = 0; i < 8; ++i) out.push_back(r.byte());
        return out;
    };
    CHECK(draw("0") == std::vector<int>{197, 215, 20, 132, 248, 207, 155, 244});
    CHECK(draw("1") == std::vector<int>{68, 32, 130, 60, 253, 230, 241, 194});
    CHECK(draw("-7") == std::vector<int>{165, 77, 202, 24, 37, 48, 187, 29});
    CHECK(draw("123456789012345678901234567890") == std::vector<int>{112, 81, 6, 137, 57, 125, 187, 134});
    // The same seed again, right after itself and after another: the kept engine starts afresh.
    CHECK(draw("1") == std::vector<int>{68, 32, 130, 60, 253, 230, 241, 194});
    CHECK(draw("1") == std::vector<int>{68, 32, 130, 60, 253, 230, 241, 194});
    CHECK(draw("0") == std::vector<int>{197, 215, 20, 132, 248, 207, 155, 244});
}

TEST_CASE_METHOD(router_fixture, "httpbin: /drip, /range and /bytes keep httpbin's caps and teapot's time bounds",
                 "[httpbin][streams]") {
    auto drip = get("/drip?duration=2&numbytes=10&delay=1&code=201");
    CHECK(drip.final_head.status == 201);
    CHECK(drip.body == "**********");
    CHECK(drip.delay == std::chrono::seconds{1});
    REQUIRE(drip.stream);
    CHECK(drip.stream->bytes == 1);
    CHECK(drip.stream->every == std::chrono::milliseconds{200});
    auto fast = get("/drip?duration=1&numbytes=100000");
    REQUIRE(fast.stream);
    CHECK(fast.stream->every == std::chrono::milliseconds{10});  // never a timer per byte at this pace
    CHECK(fast.stream->bytes == 1000);
    CHECK(get("/drip?numbytes=999999999&duration=0").body.size() == 10 * 1024 * 1024);  // httpbin's cap
    CHECK(get("/drip?duration=61").final_head.status == 400);                           // past --max-delay
    CHECK(get("/drip?delay=61").final_head.status == 400);
    CHECK(get("/drip?code=99").final_head.status == 400);
    auto no_content = get("/drip?code=204&duration=0");
    CHECK(no_content.body.empty());
    CHECK(no_content.body_framing == teapot::detail::framing::none);

    CHECK(get("/bytes/999999999").body.size() == 100 * 1024);
    CHECK(get("/bytes/8?seed=1").body.view() == std::string_view{"\x44\x20\x82\x3c\xfd\xe6\xf1\xc2", 8});
    auto ranged = route(make_request("GET", "/range/100", {{"Range", "bytes=27-29"}}), ctx);
    CHECK(ranged.final_head.status == 206);
    CHECK(ranged.body == "bcd");
    CHECK(field(ranged.final_head, "Content-Range") == "bytes 27-29/100");
    CHECK(route(make_request("GET", "/range/100", {{"Range", "bytes=100-"}}), ctx).final_head.status == 416);
    CHECK(get("/range/0").final_head.status == 404);
}

TEST_CASE_METHOD(router_fixture, "httpbin: ?fault= breaks an httpbin answer as it breaks /status, and stays in args",
                 "[httpbin][faults]") {
    auto plan = get("/get?fault=truncate:20B");
    CHECK(plan.final_head.status == 200);
    CHECK(plan.fault.what == teapot::detail::fault::kind::truncate);
    CHECK(body_of(plan).at("args").at("fault") == "truncate:20B");  // the echo is of what was sent
    CHECK(get("/drip?duration=1&numbytes=10&fault=truncate:5B").fault.what == teapot::detail::fault::kind::truncate);
    CHECK(get("/get?fault=nope").final_head.status == 400);
    CHECK(get("/get?fault=hang:2m").final_head.status == 400);                                // past --max-delay
    CHECK(get("/drip?duration=1&fault=reset").final_head.status == 400);                      // nothing to pace
    CHECK(get("/bearer?fault=truncate:5B").fault.what == teapot::detail::fault::kind::none);  // its 401 stays
    CHECK(get("/status/200?fault=truncate:5B").fault.what == teapot::detail::fault::kind::truncate);
    // The end of a cut: FIN by default, RST with :reset (a scenario step's `end: reset`).
    const auto reset = get("/drip?duration=1&numbytes=10&fault=truncate:5B:reset").fault;
    CHECK(reset.what == teapot::detail::fault::kind::truncate);
    CHECK(reset.bytes == 5);
    CHECK(reset.reset_at_end);
    CHECK_FALSE(get("/get?fault=truncate:5B:fin").fault.reset_at_end);
    CHECK(get("/get?fault=truncate:5B:rst").final_head.status == 400);
    CHECK(get("/get?fault=garbage:5B:reset").final_head.status == 400);
}

TEST_CASE("httpbin: Digest credentials read as Werkzeug reads them", "[httpbin][auth]") {
    auto c = httpbin::parse_digest_credentials(
        R"(Digest username="user", realm="r, with a comma", nonce=abc, uri="/x?a=1", response="f", )"
        R"(qop=auth, nc=00000001, cnonce="c\"d", opaque)");
    REQUIRE(c);
    CHECK(c->at("realm") == "r, with a comma");
    CHECK(c->at("nonce") == "abc");
    CHECK(c->at("cnonce") == "c\"d");  // the backslash keeps the quote, inside a quoted string
    CHECK(c->at("opaque").empty());
    CHECK_FALSE(httpbin::parse_digest_credentials("Basic dXNlcjpwYXNzd2Q="));
    CHECK_FALSE(httpbin::parse_digest_credentials(R"(Digest username="u", realm="r", nonce="n", uri="/")"));
    CHECK_FALSE(httpbin::parse_digest_credentials(
        R"(Digest username="u", realm="r", nonce="n", uri="/", response="x", qop=auth)"));  // no nc, cnonce
    CHECK(httpbin::parse_digest_credentials(R"(digest username=u,realm=r,nonce=n,uri=/,response=x)"));
}

TEST_CASE_METHOD(router_fixture, "httpbin: Digest auth-int by hand, a stale nonce, and the challenge's cookies",
                 "[httpbin][auth]") {
    // RFC 7616 §3.4.1 with qop=auth-int and SHA-256, computed here step by step.
    auto h = [](std::string_view data) { return *teapot::detail::hex_digest("SHA-256", data); };
    const std::string target = "/digest-auth/auth-int/user/passwd/SHA-256";
    const std::string body = "payload";
    const auto ha1 = h("user:me@kennethreitz.com:passwd");
    const auto ha2 = h("GET:" + target + ":" + h(body));  // httpbin routes GET only; a GET may carry a body
    const auto response = h(ha1 + ":n1:00000001:c1:auth-int:" + ha2);
    const std::string authorization = R"(Digest username="user", realm="me@kennethreitz.com", nonce="n1", uri=")" +
                                      target + R"(", algorithm=SHA-256, qop=auth-int, nc=00000001, cnonce="c1", )" +
                                      R"(response=")" + response + "\"";
    auto req = make_request("GET", target, {{"Authorization", authorization}});
    req.body = body;
    auto ok = route(req, ctx);
    CHECK(ok.final_head.status == 200);
    CHECK(body_of(ok) == json::parse(R"({"authenticated":true,"user":"user"})"));
    req.body = "another payload";  // auth-int covers the body
    CHECK(route(req, ctx).final_head.status == 401);
    req.body = body;
    req.headers.emplace_back("Cookie", "last_nonce=n1");  // the nonce was used: stale
    auto stale = route(req, ctx);
    CHECK(stale.final_head.status == 401);
    CHECK(field(stale.final_head, "WWW-Authenticate").ends_with("algorithm=SHA-256, stale=TRUE"));

    auto first = get("/digest-auth/auth/user/passwd/MD5/3");
    CHECK(first.final_head.status == 401);
    std::vector<std::string> cookies;
    for (const auto& f : first.final_head.headers)
        if (f.name == "Set-Cookie") cookies.push_back(f.value);
    CHECK(cookies == std::vector<std::string>{"stale_after=3; Path=/", "fake=fake_value; Path=/"});
    CHECK(std::regex_search(field(first.final_head, "WWW-Authenticate"),
                            std::regex{R"(^Digest realm="me@kennethreitz.com", nonce="[0-9a-f]{32}", qop="auth", )"
                                       R"(opaque="[0-9a-f]{32}", algorithm=MD5, stale=FALSE$)"}));
}

TEST_CASE("httpbin: multipart/form-data read as Werkzeug reads it", "[httpbin][multipart]") {
    CHECK(httpbin::form_boundary("multipart/form-data; boundary=XyZ") == "XyZ");
    CHECK(httpbin::form_boundary("Multipart/Form-Data;boundary=\"q b\"") == "q b");
    CHECK_FALSE(httpbin::form_boundary("multipart/form-data"));
    CHECK_FALSE(httpbin::form_boundary("multipart/mixed; boundary=x"));

    const std::string body =
        "preamble\r\n--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
        "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.txt\"\r\n"
        "Content-Type: text/plain\r\n\r\nline\r\nbreak\r\n--B--\r\n";
    const auto parts = httpbin::parse_form_data(body, "B");
    REQUIRE(parts);
    REQUIRE(parts->size() == 2);
    CHECK(parts->at(0).name == "a");
    CHECK_FALSE(parts->at(0).filename);
    CHECK(parts->at(0).content == "1");
    CHECK(parts->at(1).filename == "x.txt");
    CHECK(parts->at(1).content_type == "text/plain");
    CHECK(parts->at(1).content == "line\r\nbreak");  // a line break inside a part is content
    // LF alone as the line break, as Werkzeug accepts.
    const auto lf = httpbin::parse_form_data("--B\nContent-Disposition: form-data; name=\"k\"\n\nv\n--B--\n", "B");
    REQUIRE(lf);
    CHECK(lf->at(0).content == "v");
    // What Werkzeug cannot read: no closing delimiter, no Content-Disposition, a wrong boundary.
    CHECK_FALSE(httpbin::parse_form_data("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1", "B"));
    CHECK_FALSE(httpbin::parse_form_data("--B\r\nContent-Type: text/plain\r\n\r\n1\r\n--B--\r\n", "B"));
    CHECK_FALSE(httpbin::parse_form_data(body, "C"));
    // A bound on the parts one body may make the server read.
    std::string many;
    for (std::size_t i = 0; i <= httpbin::max_form_parts; ++i)
        many += "--B\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nx\r\n";
    CHECK_FALSE(httpbin::parse_form_data(many + "--B--\r\n", "B"));
}

TEST_CASE_METHOD(router_fixture, "httpbin: /links pages hold 1 to 200 links, /links/<n> redirects to the first",
                 "[httpbin]") {
    CHECK(field(get("/links/007").final_head, "Location") == "/links/7/0");
    auto page = get("/links/3/1");
    CHECK(page.body ==
          "<html><head><title>Links</title></head><body><a href='/links/3/0'>0</a> 1 "
          "<a href='/links/3/2'>2</a> </body></html>");
    CHECK(get("/links/0/0").body == "<html><head><title>Links</title></head><body>0 </body></html>");
    CHECK(get("/links/999999/0").body.view().find("/links/200/199") != std::string_view::npos);
    CHECK(get("/links/a/0").final_head.status == 404);
    CHECK(get("/robots.txt").body == "User-agent: *\nDisallow: /deny\n");
}

TEST_CASE_METHOD(router_fixture, "httpbin: the page for a person lists the endpoints, under the prefix when set",
                 "[httpbin]") {
    auto page = std::string{get("/").body.view()};
    CHECK(page.find("<a href=\"/get\"><code>/get</code></a>") != std::string::npos);
    CHECK(page.find("<code>/digest-auth/&lt;qop&gt;/&lt;user&gt;/&lt;passwd&gt;") != std::string::npos);
    ctx.httpbin.prefix = "/hb";
    page = std::string{get("/").body.view()};
    CHECK(page.find("<a href=\"/hb/get\">") != std::string::npos);
    ctx.httpbin.enabled = false;
    CHECK(std::string{get("/").body.view()}.find("--no-httpbin") != std::string::npos);
}

TEST_CASE_METHOD(router_fixture, "httpbin: /image answers the kind Accept prefers by q, httpbin's order among equals",
                 "[httpbin][documents]") {
    auto type_for = [&](std::string_view accept) {
        const auto plan = accept.empty() ? get("/image") : get("/image", {{"Accept", accept}});
        return plan.final_head.status == 200 ? *plan.final_head.find("Content-Type")
                                             : std::to_string(plan.final_head.status);
    };
    CHECK(type_for("") == "image/png");  // no preference: httpbin's default
    CHECK(type_for("image/webp, image/png") == "image/webp");
    CHECK(type_for("image/png, image/jpeg") == "image/jpeg");  // equal q: httpbin's order, not the list's
    CHECK(type_for("image/png, image/webp;q=0.5") == "image/png");
    CHECK(type_for("image/webp;q=0, image/*") == "image/png");  // q=0 refuses webp; the wildcard's default
    CHECK(type_for("image/*") == "image/png");
    CHECK(type_for("*/*") == "image/png");  // httpbin answers 406 here (docs/httpbin.md)
    CHECK(type_for("image/svg+xml;q=0.9, image/*;q=0.1") == "image/svg+xml");
    CHECK(type_for("text/html") == "406");
    CHECK(type_for("image/*;q=0") == "406");

    const auto refused = get("/image", {{"Accept", "text/html"}});
    CHECK(body_of(refused).at("accept").as_array().size() == 5);
    CHECK(get("/image/gif").final_head.status == 404);
}

TEST_CASE_METHOD(router_fixture, "httpbin: the documents and images are embedded whole, each with its type",
                 "[httpbin][documents]") {
    struct expected {
        std::string_view target, type, starts;
    };
    for (const auto& [target, type, starts] :
         std::initializer_list<expected>{{"/image/png", "image/png", "\x89PNG\r\n\x1a\n"},
                                         {"/image/jpeg", "image/jpeg", "\xff\xd8\xff"},
                                         {"/image/webp", "image/webp", "RIFF"},
                                         {"/image/svg", "image/svg+xml", "<svg xmlns=\"http://www.w3.org/2000/svg\""},
                                         {"/html", "text/html; charset=utf-8", "<!DOCTYPE html>\n<html>"},
                                         {"/xml", "application/xml", "<?xml version='1.0' encoding='us-ascii'?>"},
                                         {"/encoding/utf8", "text/html; charset=utf-8", "<!DOCTYPE html>"}}) {
        INFO(target);
        const auto plan = get(target);
        CHECK(plan.final_head.status == 200);
        CHECK(*plan.final_head.find("Content-Type") == type);
        CHECK(plan.body.view().starts_with(starts));
        CHECK(route(make_request("HEAD", target), ctx).omit_body);
    }
    const auto webp = get("/image/webp").body.view();
    CHECK(webp.substr(8, 4) == "WEBP");
    std::size_t riff_size = 0;  // little-endian, after "RIFF": the bytes that follow it
    for (int i = 7; i >= 4; --i)
        riff_size = riff_size << 8 | static_cast<std::uint8_t>(webp[static_cast<std::size_t>(i)]);
    CHECK(webp.size() == 8 + riff_size);
    CHECK(get("/image/jpeg").body.view().ends_with("\xff\xd9"));
    CHECK(get("/html").body.view().find("Herman Melville - Moby-Dick") != std::string_view::npos);
    CHECK(get("/encoding/utf8").body.view().find("\xf0\x9f\xab\x96") != std::string_view::npos);  // U+1FAD6 teapot

    const auto slideshow = body_of(get("/json")).at("slideshow");
    CHECK(slideshow.at("title") == "Sample Slide Show");
    CHECK(slideshow.at("slides").as_array().size() == 2);
}

TEST_CASE_METHOD(router_fixture,
                 "httpbin: /sse and /jsonl write count messages, one whole message a piece, within --max-delay",
                 "[httpbin][extras]") {
    const auto plan = get("/sse?count=3&duration=1s&delay=250ms");
    CHECK(*plan.final_head.find("Content-Type") == "text/event-stream; charset=utf-8");
    CHECK(plan.delay == std::chrono::milliseconds{250});
    REQUIRE(plan.stream);
    CHECK(plan.stream->every == std::chrono::milliseconds{500});
    const std::regex event{R"(event: ping\ndata: \{"id":(\d),"timestamp":(\d{13})\}\n\n)"};
    std::string_view rest = plan.body.view();
    std::vector<long long> times;
    for (int id = 0; !rest.empty(); ++id) {
        const auto piece = rest.substr(0, plan.stream->piece_length(rest));
        std::match_results<std::string_view::const_iterator> m;
        REQUIRE(std::regex_match(piece.begin(), piece.end(), m, event));
        CHECK(m[1].str() == std::to_string(id));
        times.push_back(std::stoll(m[2].str()));
        rest.remove_prefix(piece.size());
    }
    REQUIRE(times.size() == 3);
    CHECK(times[1] - times[0] == 500);  // each event's time is when it is due
    CHECK(times[2] - times[1] == 500);

    ctx.max_delay = std::chrono::seconds{2};
    CHECK(get("/sse?duration=2&delay=0.5").final_head.status == 400);
    CHECK(get("/sse?duration=1.5&delay=0.5").final_head.status == 200);
    for (const char* bad : {"/sse?count=0", "/sse?count=1001", "/sse?count=x", "/sse?duration=0", "/sse?delay=-1s"}) {
        INFO(bad);
        CHECK(get(bad).final_head.status == 400);
    }
    CHECK_FALSE(get("/sse?count=1").stream);  // one event: nothing to pace

    const auto lines = get("/jsonl?count=4&duration=300ms");
    CHECK(*lines.final_head.find("Content-Type") == "application/jsonl");
    REQUIRE(lines.stream);
    std::string_view text = lines.body.view();
    for (int id = 0; id < 4; ++id) {
        INFO(text);
        const auto line = text.substr(0, lines.stream->piece_length(text));
        REQUIRE(line.ends_with("}\n"));
        CHECK(body_of_text(line).at("id") == id);
        text.remove_prefix(line.size());
    }
    CHECK(text.empty());
}

TEST_CASE_METHOD(router_fixture, "httpbin: /unstable fails at its rate, the same for a seed", "[httpbin][extras]") {
    CHECK(get("/unstable?failure_rate=1").final_head.status == 500);
    CHECK(get("/unstable?failure_rate=0").final_head.status == 200);
    int failures = 0;
    for (int seed = 0; seed < 200; ++seed) {
        const auto target = "/unstable?failure_rate=0.25&seed=" + std::to_string(seed);
        const auto status = get(target).final_head.status;
        CHECK(get(target).final_head.status == status);  // a seed draws alike every time
        failures += status == 500;
    }
    CHECK(failures > 20);  // 50 expected of 200: a fair draw lands here but for 1 in 10^7
    CHECK(failures < 90);
    for (const char* bad : {"/unstable?failure_rate=1.5", "/unstable?failure_rate=nan", "/unstable?seed=x"})
        CHECK(get(bad).final_head.status == 400);
}

TEST_CASE_METHOD(router_fixture,
                 "httpbin: /dump/request gives the request back as it came, and /hostname hides the host",
                 "[httpbin][extras]") {
    auto req = make_request("POST", "/dump/request?a=1", {{"Host", "h.test"}, {"x-Odd-CASE", "v"}});
    req.body = "k=v";
    CHECK(route(req, ctx).body == "POST /dump/request?a=1 HTTP/1.1\r\nHost: h.test\r\nx-Odd-CASE: v\r\n\r\nk=v");
    auto chunked = make_request("PUT", "/dump/request", {{"Transfer-Encoding", "chunked"}});
    const std::string body(26, 'z');
    chunked.body = body;
    chunked.trailers = {{"X-Sum", "1"}};
    CHECK(route(chunked, ctx).body == "PUT /dump/request HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1a\r\n" + body +
                                          "\r\n0\r\nX-Sum: 1\r\n\r\n");
    CHECK(get("/hostname").body == "{\"hostname\":\"teapot\"}\n");
    ctx.httpbin.hostname = "box-1";
    CHECK(get("/hostname").body == "{\"hostname\":\"box-1\"}\n");
}

TEST_CASE_METHOD(router_fixture,
                 "httpbin: /trailers sends its pairs after a chunked body, never a field a trailer "
                 "may not carry",
                 "[httpbin][extras]") {
    using teapot::detail::framing;
    const auto plan = get("/trailers?X-Checksum=abc&X-Two=1&X-Two=2");
    CHECK(plan.body_framing == framing::chunked);
    CHECK(*plan.final_head.find("Trailer") == "X-Checksum, X-Two");
    REQUIRE(plan.trailers.size() == 3);
    CHECK(plan.trailers[2].name == "X-Two");
    CHECK(plan.trailers[2].value == "2");
    CHECK(plan.body == "{\"X-Checksum\":\"abc\",\"X-Two\":\"2\"}\n");

    const auto old = get("/trailers?X-Checksum=abc", {}, 10);  // HTTP/1.0 cannot take chunked
    CHECK(old.body_framing == framing::content_length);
    CHECK(old.trailers.empty());
    CHECK_FALSE(old.final_head.find("Trailer"));

    CHECK(get("/trailers").body_framing == framing::chunked);  // no trailers, still chunked: the client asked
    CHECK_FALSE(get("/trailers").final_head.find("Trailer"));
    for (const char* refused :
         {"/trailers?Content-Length=1", "/trailers?transfer-encoding=x", "/trailers?Set-Cookie=a",
          "/trailers?Trailer=X", "/trailers?Content-Type=x", "/trailers?a%20b=1", "/trailers?X-A=%0d%0a"}) {
        INFO(refused);
        CHECK(get(refused).final_head.status == 400);
    }
    CHECK(get("/trailers?X-A=1&fault=wrong_length:%2B5").final_head.status == 400);  // no Content-Length to be wrong
    const auto cut = get("/trailers?X-A=1&fault=truncate:5B");
    CHECK(cut.trailers.size() == 1);  // the knob is not a field
}

TEST_CASE("httpbin: Python's strip, int() and float(), and Werkzeug's int converter on a path segment",
          "[httpbin][python_args]") {
    CHECK(httpbin::python_strip(" \t\n\r\f\va b\v") == "a b");
    CHECK(httpbin::python_int(" 1_000\n") == 1000);
    CHECK_FALSE(httpbin::python_int("1__0"));
    CHECK(httpbin::python_float("\f2.5 ") == 2.5);
    CHECK(httpbin::werkzeug_digits("007") == "7");
    CHECK(httpbin::werkzeug_digits("000") == "0");
    CHECK(httpbin::werkzeug_digits("123456789012345678901234567890") == "123456789012345678901234567890");
    for (std::string_view refused : {"", "-1", "+1", " 1", "1a", "1_0"}) {
        INFO(refused);
        CHECK_FALSE(httpbin::werkzeug_digits(refused));
        CHECK_FALSE(httpbin::werkzeug_count(refused, 10));
    }
    CHECK(httpbin::werkzeug_count("0042", 100) == 42);
    CHECK(httpbin::werkzeug_count("99999999999999999999999", 100) == 100);  // clamped, never wrapped
}

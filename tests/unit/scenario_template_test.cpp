#include <catch2/catch.hpp>

#include "plan/request.hpp"
#include "scenario/template.hpp"
#include "util/field_syntax.hpp"
#include "util/http_date.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <cstdint>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

using teapot::detail::format_http_date;
using teapot::detail::is_field_value;
using teapot::detail::is_imf_fixdate;
using teapot::detail::request;
using teapot::detail::scenario::compile_template;
using teapot::detail::scenario::compiled_template;
using teapot::detail::scenario::format_uuid_v4;
using teapot::detail::scenario::render;
using teapot::detail::scenario::render_field_value;
using teapot::detail::scenario::template_context;
using teapot::detail::scenario::template_error;
using teapot::detail::scenario::template_options;

namespace {

compiled_template compiled(std::string_view text, const template_options& options = {}) {
    template_error error;
    auto t = compile_template(text, error, options);
    INFO("template: " << text << "; error at " << error.offset << ": " << error.message);
    REQUIRE(t);
    return *t;
}

template_error error_of(std::string_view text, const template_options& options = {}) {
    template_error error;
    auto t = compile_template(text, error, options);
    INFO("template: " << text);
    REQUIRE_FALSE(t);
    return error;
}

std::string rendered(std::string_view text, const template_context& ctx) { return render(compiled(text), ctx); }

// A deterministic 128-bit stream, as the scenario's seeded random source would give.
struct counter_stream {
    std::uint64_t n = 0;
    std::array<std::uint64_t, 2> operator()() {
        ++n;
        return {n * 0x9E37'79B9'7F4A'7C15ULL, ~n * 0xC2B2'AE3D'27D4'EB4FULL};
    }
};

bool is_uuid_v4(std::string_view s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];
        if (dash != (c == '-')) return false;
        if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    // Version 4 in the 13th hex digit; variant 10xx in the 17th.
    return s[14] == '4' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

struct sample {
    request req;
    std::vector<std::pair<std::string, std::string>> captures{{"id", "42"}, {"sku", "A-1"}};
    template_context ctx;

    sample() {
        req.method = "POST";
        req.target = "/orders/42/items/A-1?page=2&q=hello%20world&flag&page=9&plus=a+b";
        req.headers = {
            {"Host", "example.test"}, {"X-Test-Id", "run-7"}, {"Accept", "application/json"}, {"x-test-id", "second"}};
        req.body = R"({"customer":{"name":"Ada","vip":true},"items":[{"sku":"A-1","qty":2},{"sku":"B-2","qty":null}],)"
                   R"("total":12.5,"tags":["x","y"],"0":"zero","weird key":1})";
        ctx.req = &req;
        ctx.captures = &captures;
        ctx.session = "run-7";
        ctx.step_index = 2;
        ctx.step_count = 3;
        ctx.now = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
        ctx.random128 = counter_stream{};
        ctx.retry_after_s = 17;
    }
};

}  // namespace

TEST_CASE("literal text renders as it is", "[template]") {
    template_context ctx;
    CHECK(rendered("", ctx).empty());
    CHECK(rendered("plain {text} with } and { and }}", ctx) == "plain {text} with } and { and }}");
    CHECK_FALSE(compiled("no placeholders").uses_placeholders());
    CHECK(compiled("{{session}}").uses_placeholders());
    CHECK(render(compiled_template{}, ctx).empty());
}

TEST_CASE("request placeholders: path captures, query, headers", "[template]") {
    sample s;
    CHECK(rendered("order {{request.path.id}} item {{request.path.sku}}", s.ctx) == "order 42 item A-1");
    CHECK(rendered("{{request.query.page}}", s.ctx) == "2");  // the first of repeated parameters
    CHECK(rendered("{{request.query.q}}", s.ctx) == "hello world");
    CHECK(rendered("[{{request.query.flag}}]", s.ctx) == "[]");  // present without a value
    CHECK(rendered("{{request.header.X-Test-Id}}", s.ctx) == "run-7");
    CHECK(rendered("{{request.header.x-test-id}}|{{request.header.ACCEPT}}", s.ctx) == "run-7|application/json");

    compiled_template q = compiled("{{request.query.page}}");
    CHECK(q.uses_query());
    CHECK_FALSE(q.uses_json());
}

TEST_CASE("absolute-form targets have a query too", "[template]") {
    sample s;
    s.req.target = "http://example.test/orders?page=5";
    CHECK(rendered("{{request.query.page}}", s.ctx) == "5");
}

TEST_CASE("request.json walks members and indexes", "[template]") {
    sample s;
    CHECK(rendered("{{request.json.customer.name}}", s.ctx) == "Ada");  // a string: no quotes
    CHECK(rendered("{{request.json.items.0.sku}}", s.ctx) == "A-1");
    CHECK(rendered("{{request.json.items.1.sku}}", s.ctx) == "B-2");
    CHECK(rendered("{{request.json.items.0.qty}}", s.ctx) == "2");
    CHECK(rendered("{{request.json.items.1.qty}}", s.ctx) == "null");
    CHECK(rendered("{{request.json.customer.vip}}", s.ctx) == "true");
    CHECK(rendered("{{request.json.total}}", s.ctx) == "12.5");  // a number as written, not 1.25E1
    CHECK(rendered("{{request.json.tags}}", s.ctx) == R"(["x","y"])");
    CHECK(rendered("{{request.json.customer}}", s.ctx) == R"({"name":"Ada","vip":true})");
    CHECK(rendered("{{request.json.0}}", s.ctx) == "zero");  // digits name a member of an object
    CHECK(compiled("{{request.json.a}}").uses_json());
}

TEST_CASE("request.json uses an already parsed body when given one", "[template]") {
    sample s;
    auto parsed = boost::json::parse(R"({"from":"caller"})");
    s.ctx.json_body = &parsed;
    CHECK(rendered("{{request.json.from}}", s.ctx) == "caller");
}

TEST_CASE("a known placeholder without a value renders empty", "[template]") {
    sample s;
    CHECK(rendered("[{{request.path.nope}}]", s.ctx) == "[]");
    CHECK(rendered("[{{request.query.nope}}]", s.ctx) == "[]");
    CHECK(rendered("[{{request.header.X-Nope}}]", s.ctx) == "[]");
    CHECK(rendered("[{{request.json.nope}}]", s.ctx) == "[]");
    CHECK(rendered("[{{request.json.items.2.sku}}]", s.ctx) == "[]");   // index past the end
    CHECK(rendered("[{{request.json.items.x}}]", s.ctx) == "[]");       // not an index
    CHECK(rendered("[{{request.json.items.-1}}]", s.ctx) == "[]");      // not an index
    CHECK(rendered("[{{request.json.total.deeper}}]", s.ctx) == "[]");  // into a scalar

    s.req.body = "not json {";
    CHECK(rendered("[{{request.json.customer.name}}]", s.ctx) == "[]");
    s.req.body = "";
    CHECK(rendered("[{{request.json.customer.name}}]", s.ctx) == "[]");
    s.req.target = "not a target";
    CHECK(rendered("[{{request.query.page}}]", s.ctx) == "[]");

    template_context none;  // nothing supplied at all
    CHECK(rendered("[{{request.path.id}}|{{request.query.a}}|{{request.header.A}}|{{request.json.a}}|{{session}}|"
                   "{{step.index}}|{{step.count}}|{{limit.retry_after_s}}]",
                   none) == "[|||||||]");
}

TEST_CASE("session, step and limit placeholders", "[template]") {
    sample s;
    CHECK(rendered("{{session}}", s.ctx) == "run-7");
    CHECK(rendered("step {{step.index}} of {{step.count}}", s.ctx) == "step 2 of 3");
    CHECK(rendered("retry in {{limit.retry_after_s}}s", s.ctx) == "retry in 17s");

    s.ctx.session = {};           // the global session
    s.ctx.retry_after_s.reset();  // the route has no limit
    CHECK(rendered("[{{session}}][{{limit.retry_after_s}}]", s.ctx) == "[][]");
    s.ctx.retry_after_s = 0;
    CHECK(rendered("{{limit.retry_after_s}}", s.ctx) == "0");
}

TEST_CASE("now renders an HTTP-date, offsets in whole seconds", "[template]") {
    sample s;
    const std::time_t now = *s.ctx.now;
    CHECK(rendered("{{now}}", s.ctx) == "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(rendered("{{now}}", s.ctx) == format_http_date(now));
    CHECK(rendered("{{now +30s}}", s.ctx) == format_http_date(now + 30));
    CHECK(rendered("{{now -1m}}", s.ctx) == format_http_date(now - 60));
    CHECK(rendered("{{ now + 2h }}", s.ctx) == format_http_date(now + 7200));
    CHECK(rendered("{{now+1s}}", s.ctx) == format_http_date(now + 1));

    template_context clock;  // no time given: the clock
    auto before = std::time(nullptr);
    auto text = rendered("{{now}}", clock);
    CHECK(is_imf_fixdate(text));
    CHECK((text == format_http_date(before) || text == format_http_date(before + 1)));
}

TEST_CASE("uuid is version 4 from the caller's random bits", "[template]") {
    CHECK(format_uuid_v4({0, 0}) == "00000000-0000-4000-8000-000000000000");
    CHECK(format_uuid_v4({~0ULL, ~0ULL}) == "ffffffff-ffff-4fff-bfff-ffffffffffff");
    CHECK(format_uuid_v4({0x0123'4567'89ab'cdefULL, 0xfedc'ba98'7654'3210ULL}) ==
          "01234567-89ab-4def-bedc-ba9876543210");

    sample a, b;
    auto first = rendered("{{uuid}} {{uuid}}", a.ctx);
    auto again = rendered("{{uuid}} {{uuid}}", b.ctx);
    CHECK(first == again);  // the same stream gives the same UUIDs
    auto u1 = first.substr(0, 36), u2 = first.substr(37);
    CHECK(is_uuid_v4(u1));
    CHECK(is_uuid_v4(u2));
    CHECK(u1 != u2);  // each occurrence draws its own bits

    template_context unseeded;
    auto x = rendered("{{uuid}}", unseeded), y = rendered("{{uuid}}", unseeded);
    CHECK(is_uuid_v4(x));
    CHECK(is_uuid_v4(y));
    CHECK(x != y);
}

TEST_CASE("whitespace inside the braces", "[template]") {
    sample s;
    CHECK(rendered("{{ session }}", s.ctx) == "run-7");
    CHECK(rendered("{{\tsession\t}}", s.ctx) == "run-7");
    CHECK(rendered("{{  request.header.X-Test-Id   }}", s.ctx) == "run-7");
    CHECK(rendered("{{\n  step.index\n}}", s.ctx) == "2");
    CHECK(rendered("a {{ session }} b", s.ctx) == "a run-7 b");  // outside the braces it stays
}

TEST_CASE("a literal {{ is written as quoted text", "[template]") {
    sample s;
    CHECK(rendered(R"({{ "{{" }})", s.ctx) == "{{");
    CHECK(rendered(R"({{"{{"}}session}})", s.ctx) == "{{session}}");
    CHECK(rendered(R"({{ "{{" }} session }} = {{ session }})", s.ctx) == "{{ session }} = run-7");
    CHECK(rendered(R"({{ "}}" }})", s.ctx) == "}}");
    CHECK(rendered(R"([{{ "" }}])", s.ctx) == "[]");
    CHECK_FALSE(compiled(R"({{ "{{" }})").uses_placeholders());
}

TEST_CASE("compile errors say what, what is valid, and where", "[template]") {
    SECTION("unknown name") {
        auto e = error_of("Hello {{reqest.path.id}}!");
        CHECK(e.offset == 6);
        CHECK_THAT(e.message, Catch::Contains("unknown placeholder \"reqest.path.id\""));
        CHECK_THAT(e.message, Catch::Contains("request.path.<capture>"));
        CHECK_THAT(e.message, Catch::Contains("limit.retry_after_s"));
        CHECK(error_of("{{ Session }}").offset == 0);  // names are case-sensitive
        CHECK(error_of("{{request.path}}").message.find("request.path.id") != std::string::npos);
        CHECK(error_of("{{request.query.}}").message.find("query parameter name") != std::string::npos);
        CHECK(error_of("{{request.json}}").message.find("dotted path") != std::string::npos);
        CHECK(error_of("{{step}}").offset == 0);
        CHECK(error_of("{{uuid v4}}").offset == 0);
        CHECK(error_of("{{nowish}}").message.find("unknown placeholder") != std::string::npos);
    }
    SECTION("the offset is that of the failing placeholder") {
        auto e = error_of("{{session}} ok {{ session }}\nline two {{bad}}");
        CHECK(e.offset == 38);
        CHECK(std::string_view{"{{session}} ok {{ session }}\nline two {{bad}}"}.substr(e.offset, 7) == "{{bad}}");
    }
    SECTION("unterminated") {
        auto e = error_of("abc {{session");
        CHECK(e.offset == 4);
        CHECK_THAT(e.message, Catch::Contains("unterminated"));
        CHECK_THAT(e.message, Catch::Contains(R"({{ "{{" }})"));
        CHECK(error_of("{{ session {{ uuid }}").offset == 0);
        CHECK(error_of("x{{{{session}}}}").offset == 1);  // {{{{ is not an escape
        CHECK(error_of("{{").offset == 0);
        CHECK(error_of("{{ \"abc }}").message.find("closing") != std::string::npos);
        CHECK(error_of("{{ \"abc\" session }}").message.find("right after the quoted text") != std::string::npos);
    }
    SECTION("empty") {
        auto e = error_of("12{{}}");
        CHECK(e.offset == 2);
        CHECK_THAT(e.message, Catch::Contains("empty placeholder"));
        CHECK_THAT(e.message, Catch::Contains("valid placeholders"));
        CHECK(error_of("{{   }}").offset == 0);
    }
    SECTION("bad offsets") {
        for (auto text : {"{{now 30s}}", "{{now +}}", "{{now +30}}", "{{now +30x}}", "{{now +-30s}}", "{{now +1500ms}}",
                          "{{now +25h}}", "{{now + 1s 2s}}"}) {
            auto e = error_of(text);
            CHECK(e.offset == 0);
            CHECK_THAT(e.message, Catch::Contains("bad offset"));
            CHECK_THAT(e.message, Catch::Contains("now +30s"));
        }
    }
    SECTION("bad names inside a known placeholder") {
        CHECK_THAT(error_of("{{request.header.X Y}}").message, Catch::Contains("unknown placeholder"));
        CHECK_THAT(error_of("{{request.header.X:Y}}").message, Catch::Contains("not a header name"));
        CHECK_THAT(error_of("{{request.json.items..sku}}").message, Catch::Contains("empty segment"));
        CHECK_THAT(error_of("{{request.json.items.}}").message, Catch::Contains("empty segment"));
    }
    SECTION("captures checked against the route's pattern when given") {
        std::vector<std::string> names{"id", "sku"};
        template_options options{&names};
        template_error ignored;
        CHECK(compile_template("{{request.path.id}}", ignored, options));
        auto e = error_of("x {{ request.path.idd }}", options);
        CHECK(e.offset == 2);
        CHECK_THAT(e.message, Catch::Contains("no capture \"idd\""));
        CHECK_THAT(e.message, Catch::Contains("id, sku"));
        std::vector<std::string> none;
        CHECK_THAT(error_of("{{request.path.id}}", template_options{&none}).message, Catch::Contains("no {name}"));
    }
}

TEST_CASE("field values cannot inject CR, LF or NUL", "[template]") {
    sample s;
    s.req.headers = {{"X-Evil", "a\r\nSet-Cookie: owned=1"},
                     {"X-Nul", std::string_view{"a\0b", 3}},
                     {"X-Tab", "a\tb"},
                     {"X-Ctl",
                      "a\x01\x7f"
                      "b"}};
    s.req.target = "/x?v=1%0D%0AX-Injected:%20yes&lf=%0Aonly&nul=%00z&sp=%20%20padded%20";
    s.req.body = R"({"v":"line1\r\nX-Injected: yes","n":"a\u0000b"})";
    s.captures = {{"id", "a\r\nb"}};
    s.ctx.session = "s\r\nX-Injected: yes";

    auto check = [&](std::string_view text, std::string_view expected) {
        auto value = render_field_value(compiled(text), s.ctx);
        INFO(text);
        CHECK(value == expected);
        CHECK(is_field_value(value));
    };
    check("{{request.header.X-Evil}}", "aSet-Cookie: owned=1");
    check("{{request.header.X-Nul}}", "ab");
    check("{{request.header.X-Tab}}", "a\tb");
    check("{{request.header.X-Ctl}}", "ab");
    check("v={{request.query.v}}", "v=1X-Injected: yes");
    check("{{request.query.lf}}", "only");
    check("{{request.query.nul}}", "z");
    check("{{request.query.sp}}", "padded");  // no leading or trailing whitespace in a field value
    check("{{request.json.v}}", "line1X-Injected: yes");
    check("{{request.json.n}}", "ab");
    check("{{request.path.id}}", "ab");
    check("{{session}}", "sX-Injected: yes");
    check("id={{ session }}; ts={{now}}", "id=sX-Injected: yes; ts=Sun, 06 Nov 1994 08:49:37 GMT");

    // The body keeps what the request sent.
    CHECK(render(compiled("{{request.header.X-Evil}}"), s.ctx) == "a\r\nSet-Cookie: owned=1");
}

TEST_CASE("a compiled template renders many times, the same way", "[template]") {
    sample s;
    auto t = compiled("{{request.json.customer.name}}/{{request.query.page}}/{{step.index}}");
    for (int i = 0; i < 3; ++i) CHECK(render(t, s.ctx) == "Ada/2/2");
    auto copy = t;
    CHECK(copy == t);
    CHECK(copy.source() == "{{request.json.customer.name}}/{{request.query.page}}/{{step.index}}");
    CHECK(render(copy, s.ctx) == "Ada/2/2");
}

TEST_CASE("inside a json: body, every substituted value is escaped as a JSON string's content", "[template]") {
    // Quotes, a backslash, control bytes (a newline, a tab, ESC), non-ASCII, and a byte that is not UTF-8.
    const std::string hostile = "Saint \"Quote\" \\ Town\n\t\x1b caf\xc3\xa9 \xff";
    const std::string hostile_as_utf8 = "Saint \"Quote\" \\ Town\n\t\x1b caf\xc3\xa9 \xef\xbf\xbd";
    request req;
    req.method = "POST";
    const std::string target = "/items/x?q=" + std::string{"%22q%5C%0A%C3%A9"};
    req.target = target;
    req.headers = {{"X-City", hostile}};
    boost::json::object body{{"city", "Saint \"Quote\" \\ Town\n\u00e9"}, {"nested", {{"a", "\"b\""}}}};
    const auto body_text = boost::json::serialize(body);
    req.body = body_text;
    std::vector<std::pair<std::string, std::string>> captures{{"id", hostile}};
    template_context ctx;
    ctx.req = &req;
    ctx.captures = &captures;
    ctx.session = hostile;
    template_options json;
    json.inside_json_strings = true;
    // As the loader serializes `json: {...}` with template: true.
    const auto t = compiled(R"({"path":"{{request.path.id}}","query":"{{request.query.q}}",)"
                            R"("header":"{{request.header.X-City}}","json":"{{request.json.city}}",)"
                            R"("object":"{{request.json.nested}}","session":"{{session}}","step":"{{step.index}}"})",
                            json);
    CHECK(t.inside_json_strings());
    const auto out = render(t, ctx);
    INFO(out);
    boost::json::error_code ec;
    const auto parsed = boost::json::parse(out, ec);
    REQUIRE_FALSE(ec);
    const auto& o = parsed.as_object();
    CHECK(o.at("path").as_string() == hostile_as_utf8);
    CHECK(o.at("query").as_string() == "\"q\\\n\u00e9");
    CHECK(o.at("header").as_string() == hostile_as_utf8);
    CHECK(o.at("json").as_string() == "Saint \"Quote\" \\ Town\n\u00e9");
    CHECK(o.at("object").as_string() == R"({"a":"\"b\""})");
    CHECK(o.at("session").as_string() == hostile_as_utf8);
    // The same text as a plain body is left as it was: a body need not be JSON.
    CHECK(render(compiled("{{request.header.X-City}}"), ctx) == hostile);
}

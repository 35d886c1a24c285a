// Fuzz target: httpbin's endpoints where they parse what a client sends. The input
// is "METHOD\0TARGET\0COOKIE\0CONTENT-TYPE\0AUTHORIZATION\0CONDITION\0BODY"; route()
// answers it as a request with those fields, CONDITION as Range, If-None-Match, If-Match and Accept
// (Boost.URL's target parsing, the form, JSON, cookie, credential, range and entity-tag
// readers, the redirect counts, the JSON writer). The promises: no crash, every head without
// CR, LF or NUL (check_plan), a JSON answer that Boost.JSON reads back and that is
// printable ASCII (httpbin's ensure_ascii), a text per line, and every cookie field reads back.

#include "fuzz_check.hpp"
#include "handlers/handler_context.hpp"
#include "handlers/httpbin/cookie_syntax.hpp"
#include "router/builtin_routes.hpp"
#include "router/router.hpp"
#include "util/random_source.hpp"

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace teapot::detail;
using teapot::fuzz::check;
using teapot::fuzz::cut;

namespace {

// Whether httpbin's row answers `target`: the ASCII and line promises are httpbin's alone.
bool answered_by_httpbin(std::string_view target) {
    const auto parsed = boost::urls::parse_uri_reference(target);
    if (!parsed) return false;
    std::string_view rest;
    const auto* row = find_builtin_route(parsed->path(), rest);
    return row && row->httpbin;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest{reinterpret_cast<const char*>(data), size};
    const auto method = cut(rest, '\0');
    const auto target = cut(rest, '\0');
    const auto cookie = cut(rest, '\0');
    const auto content_type = cut(rest, '\0');
    const auto authorization = cut(rest, '\0');
    const auto condition = cut(rest, '\0');
    const auto body = rest;

    // The cookie reader alone, then each value written as Set-Cookie would write it.
    for (const auto& [name, value] : httpbin::parse_cookie_field(cookie)) {
        const auto quoted = httpbin::quoted_cookie_value(value);
        check(!teapot::fuzz::has_line_break(quoted), "a quoted cookie value with CR, LF or NUL", quoted);
        check(httpbin::parse_cookie_field("k=" + quoted).at(0).second == value,
              "a cookie value that does not read back", quoted);
    }

    random_source random{42};
    handler_context ctx;
    ctx.random = &random;
    request req;
    req.method = method.empty() ? std::string_view{"GET"} : method;
    req.target = target;
    req.headers = {{"Host", "fuzz.test"},          {"Cookie", cookie},
                   {"Content-Type", content_type}, {"Authorization", authorization},
                   {"Range", condition},           {"If-None-Match", condition},
                   {"If-Match", condition},        {"Accept", condition}};
    req.body = body;
    req.peer = "127.0.0.1:1";
    const auto plan = route(req, ctx);
    teapot::fuzz::check_plan(plan);
    const auto* type = plan.final_head.find("Content-Type");
    // JSON as sent: a compressed body (/gzip…) is checked by the tests, not here.
    if (plan.final_head.status != 200 || !type || *type != "application/json" ||
        plan.final_head.find("Content-Encoding"))
        return 0;
    const auto text = plan.body.view();
    if (!answered_by_httpbin(target)) {
        // teapot's own JSON (/codes/…) is UTF-8, one document, and may span lines.
        boost::system::error_code ec;
        boost::json::parse(text, ec);
        check(!ec, "teapot's JSON does not parse", text);
        return 0;
    }
    for (unsigned char c : text)
        check((c >= 0x20 && c < 0x7F) || c == '\n', "a byte outside printable ASCII in httpbin's JSON");
    // One JSON text per line (/stream/<n> sends several): Python escapes every newline in a string.
    std::string_view lines = text;
    while (!lines.empty()) {
        const auto line = cut(lines, '\n');
        if (line.empty()) continue;
        boost::system::error_code ec;
        boost::json::parse(line, ec);
        check(!ec, "httpbin's JSON does not parse", line);
    }
    return 0;
}

#include "handlers/httpbin/redirects.hpp"

#include "handlers/error_plan.hpp"
#include "handlers/httpbin/python_args.hpp"
#include "handlers/httpbin/request_view.hpp"
#include "handlers/redirect_policy.hpp"
#include "handlers/status_body.hpp"
#include "util/ascii.hpp"
#include "util/field_syntax.hpp"

#include <teapot/catalog.hpp>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <optional>
#include <string>

namespace teapot::detail::httpbin {
namespace {

// n - 1 for a decimal n > 0 without leading zeros (werkzeug_digits): kept as text, so that
// /redirect/<a hundred digits> counts down as httpbin's big ints do.
std::string minus_one(std::string n) {
    auto i = n.size();
    while (n[--i] == '0') n[i] = '9';
    --n[i];
    if (n.size() > 1 && n.front() == '0') n.erase(0, 1);
    return n;
}

response_plan redirect_plan(const request& req, int status, const std::string& location, std::string body) {
    response_plan plan;
    plan.final_head.status = status;
    plan.final_head.reason = std::string{reason_phrase(status)};
    plan.final_head.set("Content-Type", "text/html; charset=utf-8");
    plan.final_head.set("Location", location);
    if (status == 304)
        plan.body_framing = framing::none;  // RFC 9110 §15.4.5: no content
    else
        plan.body = std::move(body);
    plan.omit_body = req.method == "HEAD";
    return plan;
}

// What httpbin does not route (a count that is not a number): Flask's 404.
response_plan not_a_count(const request& req) {
    return error_plan(404, "no resource at " + std::string{req.target} + ": the count is a whole number", &req);
}

// httpbin asserts n > 0: its answer to 0 is a 500, which clients written against it may expect.
response_plan zero_count(const request& req) {
    return error_plan(500, "the count must be at least 1 (httpbin answers 500 here too)", &req);
}

bool asks_absolute(const std::vector<query_param>& params) {
    // request.args.get: the first value of the key.
    auto it = std::find_if(params.begin(), params.end(), [](auto& p) { return p.key == "absolute"; });
    return it != params.end() && iequals(it->value, "true");
}

// Werkzeug's iri_to_uri(safe_conversion=True), which every Location httpbin sends goes through:
// ASCII without blanks as it is, else each byte but the unreserved, :/?#[]@!$&'()*+,;= and % as
// %XX (by Boost.URL, a piece between two "%" at a time: its encode never keeps a "%", and asserts
// when asked to). Werkzeug first reads the bytes as latin-1, so that its é becomes %C3%83%C2%A9:
// teapot writes the UTF-8 it was given, %C3%A9 (docs/httpbin.md).
std::string as_uri(const std::string& location) {
    const bool plain = std::none_of(location.begin(), location.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x80 || c == ' ' || (c >= '\t' && c <= '\r');
    });
    if (plain) return location;
    static constexpr auto safe = boost::urls::unreserved_chars + ":/?#[]@!$&'()*+,;=";
    std::string out;
    const std::string_view text{location};
    for (std::size_t start = 0;;) {
        const auto percent = text.find('%', start);
        out += boost::urls::encode(text.substr(start, percent == std::string_view::npos ? text.npos : percent - start),
                                   safe);
        if (percent == std::string_view::npos) return out;
        out.push_back('%');
        start = percent + 1;
    }
}

}  // namespace

response_plan flask_redirect(const request& req, const std::string& location) {
    const auto shown = html_escape(location);
    return redirect_plan(req, 302, location,
                         "<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n"
                         "<p>You should be redirected automatically to the target URL: <a href=\"" +
                             shown + "\">" + shown + "</a>. If not, click the link.\n");
}

response_plan redirect(const request& req, std::string_view n, const std::vector<query_param>& params,
                       const handler_context& ctx) {
    const auto count = werkzeug_digits(n);
    if (!count) return not_a_count(req);
    if (*count == "0") return zero_count(req);
    const bool absolute = asks_absolute(params);
    const auto base = (absolute ? host_url(req) : std::string{}) + ctx.httpbin.prefix;
    if (*count == "1") return flask_redirect(req, base + "/get");
    return flask_redirect(
        req, base + (absolute ? "/absolute-redirect/" : "/relative-redirect/") + minus_one(std::string{*count}));
}

response_plan relative_redirect(const request& req, std::string_view n, const std::vector<query_param>&,
                                const handler_context& ctx) {
    const auto count = werkzeug_digits(n);
    if (!count) return not_a_count(req);
    if (*count == "0") return zero_count(req);
    const auto& prefix = ctx.httpbin.prefix;
    return redirect_plan(
        req, 302, *count == "1" ? prefix + "/get" : prefix + "/relative-redirect/" + minus_one(std::string{*count}),
        "");
}

response_plan absolute_redirect(const request& req, std::string_view n, const std::vector<query_param>&,
                                const handler_context& ctx) {
    const auto count = werkzeug_digits(n);
    if (!count) return not_a_count(req);
    if (*count == "0") return zero_count(req);
    const auto base = host_url(req) + ctx.httpbin.prefix;
    return flask_redirect(
        req, *count == "1" ? base + "/get" : base + "/absolute-redirect/" + minus_one(std::string{*count}));
}

response_plan redirect_to(const request& req, std::string_view, const std::vector<query_param>& params,
                          const handler_context& ctx) {
    // httpbin reads its arguments case-insensitively, the first value of each.
    const auto* url = first_arg(params, "url");
    if (!url) return error_plan(500, "/redirect-to needs ?url= (httpbin answers 500 without it)", &req);
    int status = 302;
    if (const auto* code = first_arg(params, "status_code")) {
        auto value = python_int(*code);
        if (!value)
            return error_plan(500, "status_code='" + *code + "' is not a number (httpbin answers 500 here too)", &req);
        if (*value >= 300 && *value < 400) status = static_cast<int>(*value);
    }
    // The Location is the URL made a URI as httpbin makes it, and only to a listed host under
    // --allowed-redirect-hosts. A control byte (CR, LF: a second field) is refused first, as
    // Werkzeug refuses a newline (with a 500: docs/httpbin.md).
    if (!is_field_value(*url))
        return error_plan(400, "url= holds a control character: it cannot be a Location field", &req);
    const auto location = as_uri(*url);
    if (auto why = redirect_refusal("url=" + *url, location, ctx.allowed_redirect_hosts); !why.empty())
        return error_plan(400, why, &req);
    return redirect_plan(req, status, location, "");
}

}  // namespace teapot::detail::httpbin

#include "handlers/httpbin/cookies.hpp"

#include "handlers/error_plan.hpp"
#include "handlers/httpbin/cookie_syntax.hpp"
#include "handlers/httpbin/json_reply.hpp"
#include "handlers/httpbin/redirects.hpp"
#include "handlers/httpbin/request_view.hpp"
#include "util/field_syntax.hpp"
#include "util/utf8.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <unordered_set>

namespace teapot::detail::httpbin {
namespace {

// core.ENV_COOKIES: a tracker's cookies on httpbin.org, hidden unless ?show_env.
constexpr std::array<std::string_view, 8> env_cookies{"_gauges_unique",
                                                      "_gauges_unique_year",
                                                      "_gauges_unique_month",
                                                      "_gauges_unique_day",
                                                      "_gauges_unique_hour",
                                                      "__utmz",
                                                      "__utma",
                                                      "__utmb"};

bool has_param(const std::vector<query_param>& params, std::string_view key) {
    return std::any_of(params.begin(), params.end(), [key](auto& p) { return p.key == key; });
}

// request.args.items(): each key once, with its first value, in the order first sent.
std::vector<const query_param*> first_of_each(const std::vector<query_param>& params) {
    std::vector<const query_param*> out;
    std::unordered_set<std::string_view> seen;  // a scan of `out` was quadratic in the parameters
    for (const auto& p : params)
        if (seen.insert(p.key).second) out.push_back(&p);
    return out;
}

// The 302 to /cookies with a Set-Cookie per cookie; a name that is not a token (RFC 6265 §4.1.1)
// would not be a cookie, or would end the field: a 400 that says which.
response_plan cookie_redirect(const request& req, const handler_context& ctx,
                              const std::vector<std::pair<std::string, std::string>>& set, bool expire) {
    for (const auto& [name, value] : set)
        if (!is_token(name))
            return error_plan(400, "cookie name '" + name + "' is not a token (RFC 6265 §4.1.1)", &req);
    auto plan = flask_redirect(req, ctx.httpbin.prefix + "/cookies");
    // Werkzeug's dump_cookie: the value quoted where it must be, Secure over HTTPS, then Path.
    const std::string attributes = std::string{expire ? "; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0" : ""} +
                                   (req.tls ? "; Secure" : "") + "; Path=/";
    for (const auto& [name, value] : set)
        plan.final_head.add("Set-Cookie",
                            name + "=" + (expire ? std::string{} : quoted_cookie_value(value)) + attributes);
    return plan;
}

}  // namespace

response_plan cookies(const request& req, std::string_view, const std::vector<query_param>& params,
                      const handler_context&) {
    // Several Cookie fields are one list (RFC 6265 §5.4 sends one; HTTP/2 splits it).
    const bool show_env = has_param(params, "show_env");
    boost::json::object jar;
    for (auto& [name, value] : request_cookies(req)) {
        if (!show_env && std::find(env_cookies.begin(), env_cookies.end(), name) != env_cookies.end()) continue;
        // request.cookies is a MultiDict: the first of a name is the one httpbin shows.
        if (!jar.contains(name)) jar[name] = is_utf8(value) ? value : repaired_utf8(value);
    }
    return json_reply(req, boost::json::object{{"cookies", std::move(jar)}});
}

response_plan set_cookies(const request& req, std::string_view, const std::vector<query_param>& params,
                          const handler_context& ctx) {
    std::vector<std::pair<std::string, std::string>> set;
    for (const auto* p : first_of_each(params)) set.emplace_back(p->key, p->value);
    return cookie_redirect(req, ctx, set, false);
}

response_plan set_cookie_path(const request& req, std::string_view rest, const std::vector<query_param>&,
                              const handler_context& ctx) {
    const auto pair = two_segments(rest);
    if (!pair)
        return error_plan(404, "no resource at " + std::string{req.target} + ": /cookies/set/<name>/<value>", &req);
    return cookie_redirect(req, ctx, {{std::string{pair->first}, std::string{pair->second}}}, false);
}

response_plan delete_cookies(const request& req, std::string_view, const std::vector<query_param>& params,
                             const handler_context& ctx) {
    std::vector<std::pair<std::string, std::string>> gone;
    for (const auto* p : first_of_each(params)) gone.emplace_back(p->key, std::string{});
    return cookie_redirect(req, ctx, gone, true);
}

}  // namespace teapot::detail::httpbin

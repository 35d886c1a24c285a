#include "handlers/cors.hpp"

#include "handlers/error_plan.hpp"
#include "util/field_syntax.hpp"

#include <teapot/catalog.hpp>

#include <boost/url/parse.hpp>

namespace teapot::detail {
namespace {

// Response headers a script may read beyond the CORS-safelisted ones.
constexpr std::string_view exposed =
    "Location, Retry-After, WWW-Authenticate, Proxy-Authenticate, Content-Range, Accept-Ranges, Allow, Link, "
    "ETag, Upgrade, Date, Server";

// RFC 6454 §7.1: "null", or scheme "://" host [":" port] and nothing else. Beast's parser
// already refused CR, LF and NUL; this refuses the rest (an obs-fold unfolds to a space,
// "http://a.test evil"), so that only an origin is echoed.
bool is_origin(std::string_view v) {
    if (v == "null") return true;
    auto u = boost::urls::parse_absolute_uri(v);
    return u && u->has_authority() && !u->has_userinfo() && !u->encoded_host().empty() && u->encoded_path().empty() &&
           !u->has_query();
}

// RFC 9110 §5.6.1: 1#token, empty elements tolerated ("a, ,b").
bool is_token_list(std::string_view v) {
    bool any = false;
    const bool all_tokens = for_each_list_element(v, [&any](std::string_view item) {
        any = true;
        return is_token(item);
    });
    return any && all_tokens;
}

void add_origin(const request& req, message_head& head) {
    // A value the plan already has (from ?header=) wins over ours.
    if (head.find("Access-Control-Allow-Origin")) return;
    auto origin = req.header("Origin");
    // Anything but an origin is answered like no Origin: never echoed.
    if (origin.empty() || !is_origin(origin)) {
        head.add("Access-Control-Allow-Origin", "*");
        return;
    }
    // Echoing the origin (rather than *) lets credentialed requests through.
    head.add("Access-Control-Allow-Origin", std::string{origin});
    head.set("Access-Control-Allow-Credentials", "true");
    auto vary = head.find("Vary");
    head.set("Vary", vary ? *vary + ", Origin" : std::string{"Origin"});
}

}  // namespace

bool is_cors_preflight(const request& req) {
    return req.method == "OPTIONS" && req.has_header("Origin") && req.has_header("Access-Control-Request-Method");
}

response_plan cors_preflight_plan(const request& req) {
    // Both are echoed: only a method (a token) and a list of field names (tokens) may be.
    const auto method = req.header("Access-Control-Request-Method");
    const auto headers = req.header("Access-Control-Request-Headers");
    if (!is_token(method) || (!headers.empty() && !is_token_list(headers))) {
        auto plan = error_plan(400,
                               "invalid CORS preflight: Access-Control-Request-Method is one method (a token) and "
                               "Access-Control-Request-Headers a comma-separated list of field names",
                               &req);
        add_cors_headers(req, plan.final_head);
        return plan;
    }
    auto plan = no_content_plan();
    plan.final_head.set("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers");
    add_origin(req, plan.final_head);
    plan.final_head.set("Access-Control-Allow-Methods", std::string{method});
    if (!headers.empty()) plan.final_head.set("Access-Control-Allow-Headers", std::string{headers});
    plan.final_head.set("Access-Control-Max-Age", "600");
    return plan;
}

void add_cors_headers(const request& req, message_head& head) {
    add_origin(req, head);
    if (!head.find("Access-Control-Expose-Headers")) head.add("Access-Control-Expose-Headers", std::string{exposed});
}

}  // namespace teapot::detail

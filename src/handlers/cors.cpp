#include "handlers/cors.hpp"

#include <teapot/catalog.hpp>

namespace teapot::detail {
namespace {

// Response headers a script may read beyond the CORS-safelisted ones.
constexpr std::string_view exposed =
    "Location, Retry-After, WWW-Authenticate, Proxy-Authenticate, Content-Range, Accept-Ranges, Allow, Link, "
    "ETag, Upgrade, Date, Server";

void add_origin(const request& req, message_head& head) {
    // A value the plan already has (from ?header=) wins over ours.
    if (head.find("Access-Control-Allow-Origin")) return;
    auto origin = req.header("Origin");
    if (origin.empty()) {
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
    response_plan plan;
    plan.final_head.status = 204;
    plan.final_head.reason = std::string{reason_phrase(204)};
    plan.body_framing = framing::none;
    plan.final_head.set("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers");
    add_origin(req, plan.final_head);
    plan.final_head.set("Access-Control-Allow-Methods", std::string{req.header("Access-Control-Request-Method")});
    if (auto headers = req.header("Access-Control-Request-Headers"); !headers.empty())
        plan.final_head.set("Access-Control-Allow-Headers", std::string{headers});
    plan.final_head.set("Access-Control-Max-Age", "600");
    return plan;
}

void add_cors_headers(const request& req, message_head& head) {
    add_origin(req, head);
    if (!head.find("Access-Control-Expose-Headers")) head.add("Access-Control-Expose-Headers", std::string{exposed});
}

}  // namespace teapot::detail

#include "admin/dashboard.hpp"

#include "admin/admin_reply.hpp"

#include <teapot/catalog.hpp>

namespace teapot::detail {

response_plan dashboard_page(const request& req) {
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req, "GET, HEAD");
    response_plan plan;
    plan.final_head.status = 200;
    plan.final_head.reason = std::string{reason_phrase(200)};
    plan.final_head.set("Content-Type", "text/html; charset=utf-8");
    plan.final_head.set("Cache-Control", "no-store");
    // Its script and style are inline; it fetches from this origin only and may not be framed,
    // so no other page can show it under a pointer and click its buttons.
    plan.final_head.set("Content-Security-Policy",
                        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
                        "connect-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'; "
                        "form-action 'none'");
    plan.final_head.set("X-Frame-Options", "DENY");
    plan.final_head.set("X-Content-Type-Options", "nosniff");
    plan.final_head.set("Referrer-Policy", "no-referrer");
    plan.body = response_body::of_static(dashboard_asset("dashboard.html").value());  // embedded at build time
    plan.omit_body = req.method == "HEAD";
    return plan;
}

response_plan dashboard_events(const request& req, const handler_context& ctx) {
    if (req.method != "GET") return method_not_allowed(req, "GET");
    if (!ctx.journal) return admin_error(req, 404, "no journal to follow: this server keeps none");
    response_plan plan;
    plan.action = response_plan::kind::event_stream;
    plan.final_head.status = 200;
    plan.final_head.reason = std::string{reason_phrase(200)};
    plan.final_head.set("Content-Type", "text/event-stream");
    plan.final_head.set("Cache-Control", "no-store");
    plan.final_head.set("X-Accel-Buffering", "no");  // nginx (deploy/): pass events as they come
    plan.body_framing = framing::none;
    return plan;
}

}  // namespace teapot::detail

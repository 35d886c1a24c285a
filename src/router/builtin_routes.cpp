#include "router/builtin_routes.hpp"

#include "handlers/codes_handler.hpp"
#include "handlers/error_plan.hpp"
#include "handlers/status_handler.hpp"
#include "router/index_page.hpp"

#include <teapot/catalog.hpp>

#include <array>

namespace teapot::detail {
namespace {

response_plan status(const request& req, std::string_view rest, const std::vector<query_param>& params,
                     const handler_context& ctx) {
    return handle_status(req, rest, params, ctx);
}

response_plan codes(const request& req, std::string_view rest, const std::vector<query_param>& params,
                    const handler_context&) {
    return handle_codes(req, rest, params);
}

response_plan index(const request& req, std::string_view, const std::vector<query_param>&, const handler_context& ctx) {
    return handle_index(req, ctx);
}

// OPTIONS * asks about the server, not a resource (RFC 9110 §9.3.7); the asterisk-form
// is for OPTIONS only (RFC 9112 §3.2.4).
response_plan server_options(const request& req, std::string_view, const std::vector<query_param>&,
                             const handler_context&) {
    if (req.method != "OPTIONS") {
        auto plan = error_plan(400, "the request target * is for OPTIONS only (RFC 9112 §3.2.4)", &req);
        plan.close_after = true;  // a request line that cannot be served as sent, as a malformed one
        return plan;
    }
    auto plan = no_content_plan();
    plan.final_head.set("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    return plan;
}

constexpr std::array routes{
    builtin_route{"/status/", true, false, status, "/status/<code>: that status with its headers and body; knobs"},
    builtin_route{"/status", false, false, status, "/status: 400 that names what is missing (a code)"},
    builtin_route{"/codes/", true, true, codes, "/codes/<code>: one code of the catalogue as JSON; /codes/: all"},
    builtin_route{"/codes", false, true, codes, "/codes: the status catalogue as JSON"},
    builtin_route{"/", false, true, index, "/: the page for a person: endpoints, knobs, scenarios, codes"},
    builtin_route{"*", false, false, server_options, "OPTIONS *: the methods the server allows (204)"},
};

}  // namespace

std::span<const builtin_route> builtin_routes() { return routes; }

const builtin_route* find_builtin_route(std::string_view path, std::string_view& rest) {
    for (const auto& r : routes) {
        if (r.prefix ? path.starts_with(r.path) : path == r.path) {
            rest = r.prefix ? path.substr(r.path.size()) : std::string_view{};
            return &r;
        }
    }
    return nullptr;
}

}  // namespace teapot::detail

#pragma once
// Which handler answers a request: the admin API, a CORS preflight, a scenario
// route, a built-in endpoint (builtin_routes.hpp: a new one is a row there), or
// a 404 naming the nearest route. A pure function of the request, so that it is
// unit-tested without sockets.

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <optional>

namespace teapot::detail {

/// Never throws: a handler that throws becomes a 500 for this request.
response_plan route(const request& req, const handler_context& ctx) noexcept;

/// Whether `req` is for the admin API, whose answers carry no CORS fields. A request whose
/// target was not read (an empty one) is not.
bool is_admin_request(const request& req, const handler_context& ctx);

/// For a request whose body is not read yet: the answer when it is an early
/// response (fault early-response, from a scenario step or /status/<code>),
/// claimed now; nullopt otherwise, with nothing consumed.
std::optional<response_plan> route_before_body(const request& req, const handler_context& ctx) noexcept;

}  // namespace teapot::detail

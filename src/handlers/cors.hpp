#pragma once
// CORS (Fetch standard) so that browsers can use teapot: response headers on
// every answer, and real preflights answered with 204. A plain OPTIONS (no
// Access-Control-Request-Method) is not a preflight and gets its status.

#include "plan/request.hpp"
#include "plan/response_plan.hpp"

namespace teapot::detail {

bool is_cors_preflight(const request& req);

response_plan cors_preflight_plan(const request& req);

/// Adds Access-Control-Allow-Origin and -Expose-Headers to a plan's final head.
void add_cors_headers(const request& req, message_head& head);

}  // namespace teapot::detail

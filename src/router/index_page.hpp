#pragma once
// GET /: the page a person opening teapot in a browser needs. What teapot does, the
// knobs of /status with links to try, the scenarios loaded and their routes, the
// admin API, and every code of the catalogue. HTML with no external asset.

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

namespace teapot::detail {

response_plan handle_index(const request& req, const handler_context& ctx);

}  // namespace teapot::detail

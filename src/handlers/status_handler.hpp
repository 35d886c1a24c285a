#pragma once
// /status/<code>: a response with that status and the headers and body that
// fit it (RFC 9110 §15 and companions; see the table in README.md).

#include "handlers/handler_context.hpp"
#include "handlers/status_knobs.hpp"
#include "http/request.hpp"
#include "http/response_plan.hpp"

#include <string_view>
#include <vector>

namespace teapot::detail {

/// `spec` is the path after "/status/" (percent-decoded); `params` the query.
response_plan handle_status(const request& req, std::string_view spec, const std::vector<query_param>& params,
                            const handler_context& ctx);

}  // namespace teapot::detail

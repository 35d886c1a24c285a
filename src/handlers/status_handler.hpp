#pragma once
// /status/<code>: a response with that status and the headers and body that
// fit it (RFC 9110 §15 and companions; see the table in README.md).

#include "handlers/handler_context.hpp"
#include "handlers/status_knobs.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string_view>
#include <vector>

namespace teapot::detail {

/// The plan /status/<code> sends for one code and already-validated knobs: the
/// catalogue's defaults (headers, body, framing, interim, 444, 101) with the
/// knobs' overrides. Scenario steps are answered through it too.
response_plan plan_for_code(const request& req, int code, const status_knobs& knobs);

/// The head of an interim response (103 carries its Link hint).
message_head interim_response_head(int code);

/// `spec` is the path after "/status/" (percent-decoded); `params` the query.
response_plan handle_status(const request& req, std::string_view spec, const std::vector<query_param>& params,
                            const handler_context& ctx);

}  // namespace teapot::detail

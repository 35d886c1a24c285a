#pragma once
// /__teapot/scenarios: what is loaded and where each session stands (GET),
// a scenario loaded or replaced at run time (POST, a YAML body), one removed
// (DELETE /scenarios/NAME), and a session's named state set (PUT /scenarios/NAME/state).

#include "handlers/handler_context.hpp"
#include "handlers/status_knobs.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string_view>
#include <vector>

namespace teapot::detail {

/// `rest` is what follows /__teapot/scenarios: "", "/NAME" or "/NAME/state".
response_plan handle_scenarios(const request& req, std::string_view rest, const std::vector<query_param>& params,
                               const handler_context& ctx);

}  // namespace teapot::detail

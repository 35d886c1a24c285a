#pragma once
// The catalogue as resources: GET /codes (JSON array), GET /codes/<code> (one entry).

#include "handlers/status_knobs.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string_view>
#include <vector>

namespace teapot::detail {

/// `code` is empty for the whole catalogue.
response_plan handle_codes(const request& req, std::string_view code, const std::vector<query_param>& params);

}  // namespace teapot::detail

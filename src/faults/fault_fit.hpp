#pragma once
// Whether a fault (and body pacing) can be honoured on a given response: a
// truncation needs a body longer than what it keeps, a reset sends nothing to
// pace. /status/<code> answers a misfit with 400; the loader reports it at the
// step's line.

#include "plan/response_plan.hpp"

#include <string>

namespace teapot::detail {

/// Why plan.fault and plan.stream cannot be carried out on `plan`; empty when they can.
std::string fault_misfit(const response_plan& plan);

}  // namespace teapot::detail

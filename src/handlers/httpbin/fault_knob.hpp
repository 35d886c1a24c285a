#pragma once
// ?fault= on httpbin's endpoints (/get?fault=truncate:20B, /drip?fault=reset...):
// the one knob of /status/<code> they take, since their other parameters are
// httpbin's own (/drip's delay, /range's duration). Read, fitted and bounded as
// /status reads it; the parameter stays in the echoed args, as it was sent.

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <vector>

namespace teapot::detail::httpbin {

/// Sets `plan`'s fault from the first ?fault= in `params`, or makes `plan` the 400 that says
/// why it cannot be (a bad name, a wait past --max-delay, a fault this answer cannot carry).
void apply_fault_knob(response_plan& plan, const request& req, const std::vector<query_param>& params,
                      const handler_context& ctx);

}  // namespace teapot::detail::httpbin

#include "handlers/httpbin/fault_knob.hpp"

#include "faults/answer_time.hpp"
#include "faults/fault_fit.hpp"
#include "handlers/error_plan.hpp"
#include "handlers/status_knobs.hpp"
#include "util/duration.hpp"
#include "util/random_source.hpp"

#include <algorithm>

namespace teapot::detail::httpbin {

void apply_fault_knob(response_plan& plan, const request& req, const std::vector<query_param>& params,
                      const handler_context& ctx) {
    auto it = std::find_if(params.begin(), params.end(), [](auto& p) { return p.key == "fault"; });
    if (it == params.end() || plan.final_head.status >= 400) return;  // httpbin's own refusals stay as they are
    std::string error;
    const auto knobs = parse_status_knobs({*it}, knob_limits{ctx.max_delay, {}, false}, error);
    if (!knobs) {
        plan = error_plan(400, error, &req);
        return;
    }
    plan.fault = knobs->fault;
    if (plan.fault.what == fault::kind::garbage && ctx.random)
        plan.fault.garbage_seed = ctx.random->next_bits();  // the garbage of a seeded run is the same again
    if (auto misfit = fault_misfit(plan); !misfit.empty()) {
        plan = error_plan(400, misfit, &req);
        return;
    }
    // A fault's pauses on top of a drip's: the whole answer within twice --max-delay, as /status's.
    const auto limit = max_answer_time(ctx.max_delay);
    if (auto t = planned_answer_time(plan, plan.delay, ctx.max_delay); t.total > limit)
        plan = error_plan(400,
                          "this answer would take " + format_duration(t.total) + ": " + t.arithmetic +
                              "; an answer may take at most twice --max-delay, " + format_duration(limit),
                          &req);
}

}  // namespace teapot::detail::httpbin

#include "scenario/step_answer.hpp"

#include "handlers/status_handler.hpp"
#include "handlers/status_knobs.hpp"
#include "util/byte_size.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace teapot::detail::scenario {

response_plan step_plan(const request& req, const step& st, const template_context* ctx, const step_draws& draws) {
    status_knobs knobs;
    knobs.reason = st.reason;
    knobs.headers = st.headers;
    knobs.body = st.body;
    knobs.content_type = st.content_type;
    knobs.delay = draws.delay.value_or(st.delay);
    knobs.fault = st.fault;
    knobs.fault.garbage_seed = draws.garbage_seed;
    knobs.stream = st.stream;
    if (ctx && st.templated) {
        if (st.body_template) knobs.body = render(*st.body_template, *ctx);
        for (std::size_t i = 0; i < knobs.headers.size() && i < st.header_templates.size(); ++i)
            knobs.headers[i].value = render_field_value(st.header_templates[i], *ctx);
    }
    auto plan = plan_for_code(req, st.status, knobs);
    // §15.2: never a 1xx to an HTTP/1.0 client.
    if (plan.action == response_plan::kind::respond && req.version >= 11 && !st.interim.empty()) {
        std::vector<message_head> heads;
        for (int code : st.interim) heads.push_back(interim_response_head(code));
        plan.interim.insert(plan.interim.begin(), heads.begin(), heads.end());
    }
    return plan;
}

response_plan reject_plan(const request& req, const step& reject, std::uint64_t retry_after_s,
                          const template_context* ctx, const step_draws& draws) {
    if (reject.status != 429 || std::any_of(reject.headers.begin(), reject.headers.end(),
                                            [](const auto& h) { return iequals(h.name, "Retry-After"); }))
        return step_plan(req, reject, ctx, draws);
    step with_retry = reject;
    with_retry.headers.push_back({"Retry-After", std::to_string(retry_after_s)});
    // Appended after the templated headers: they keep their indexes in header_templates.
    return step_plan(req, with_retry, ctx, draws);
}

response_plan no_quota_room_plan(const request& req, const scenario& sc, const route& r, const quota_budget& budget) {
    status_knobs knobs;
    std::string body = "route ";
    body.append(r.id).append(" of scenario ").append(sc.name);
    body.append(": its limit needs a quota window for a new key, and the windows of every route's limit hold ");
    body.append(format_byte_size(budget.used())).append(" of --max-quota-bytes (");
    body.append(format_byte_size(budget.max())).append("), none ended; retry later, or raise --max-quota-bytes\n");
    knobs.body = std::move(body);
    knobs.content_type = "text/plain; charset=utf-8";
    knobs.retry_after = std::to_string(budget.seconds_to_room(std::chrono::steady_clock::now()));
    return plan_for_code(req, 503, knobs);
}

response_plan exhausted_plan(const request& req, const scenario& sc, const route& r) {
    status_knobs knobs;
    std::string body = "route ";
    body.append(r.id).append(" of scenario ").append(sc.name).append(": its sequence of ");
    body.append(std::to_string(r.steps.size())).append(" step(s) is exhausted (then: fail)\n");
    knobs.body = std::move(body);
    knobs.content_type = "text/plain; charset=utf-8";
    std::string tag = sc.name;
    tag.append("/").append(r.id);
    knobs.headers.push_back({"X-Teapot-Exhausted", std::move(tag)});
    return plan_for_code(req, 500, knobs);
}

}  // namespace teapot::detail::scenario

#pragma once
// Step → answer: the response plan of a scenario step (its knobs, templates
// rendered, interim heads), of a limit's reject, and the plans a route answers
// when it cannot serve a step (exhausted, or no room for a quota window).

#include "plan/request.hpp"
#include "plan/response_plan.hpp"
#include "scenario/model.hpp"
#include "scenario/quota.hpp"
#include "scenario/template.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace teapot::detail::scenario {

/// What the claim drew for the step served.
struct step_draws {
    std::optional<std::chrono::milliseconds> delay;
    std::uint64_t garbage_seed = 0;
};

/// `ctx` is for a templated step: its body and header values are rendered from it.
response_plan step_plan(const request& req, const step& st, const template_context* ctx, const step_draws& draws);

/// A limit's reject: a 429 without its own Retry-After says when the window reopens
/// (RFC 6585 §4, RFC 9110 §10.2.3), instead of the catalogue's fixed "1".
response_plan reject_plan(const request& req, const step& reject, std::uint64_t retry_after_s,
                          const template_context* ctx, const step_draws& draws);

/// The quota windows fill --max-quota-bytes and none has ended: a 503, since the server lacks the
/// room and not the client its quota (RFC 9110 §15.6.4), with Retry-After at the earliest end.
response_plan no_quota_room_plan(const request& req, const scenario& sc, const route& r, const quota_budget& budget);

/// then: fail, once the steps are used up: a 500 that names the route.
response_plan exhausted_plan(const request& req, const scenario& sc, const route& r);

}  // namespace teapot::detail::scenario

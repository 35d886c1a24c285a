#pragma once
// httpbin's streams and bytes: /bytes/<n> and /stream-bytes/<n> (Python's seeded
// random bytes, ?seed=), /stream/<n> (n JSON lines), /range/<n> (a-z repeated,
// one Range, 416), /drip (n bytes over a duration, after a delay, with any code).
// Waits are timers (the plan's delay and pacing), sizes httpbin's caps.

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string_view>
#include <vector>

namespace teapot::detail::httpbin {

response_plan bytes(const request& req, std::string_view n, const std::vector<query_param>& params,
                    const handler_context& ctx);
response_plan stream_bytes(const request& req, std::string_view n, const std::vector<query_param>& params,
                           const handler_context& ctx);
response_plan stream(const request& req, std::string_view n, const std::vector<query_param>& params,
                     const handler_context& ctx);
response_plan range(const request& req, std::string_view n, const std::vector<query_param>& params,
                    const handler_context& ctx);
response_plan drip(const request& req, std::string_view rest, const std::vector<query_param>& params,
                   const handler_context& ctx);

}  // namespace teapot::detail::httpbin

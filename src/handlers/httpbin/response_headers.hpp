#pragma once
// httpbin's /response-headers?k=v: each pair a response field, and the body the
// JSON of the answer's fields (its own Content-Length included: a fixpoint).

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string_view>
#include <vector>

namespace teapot::detail::httpbin {

response_plan response_headers(const request& req, std::string_view rest, const std::vector<query_param>& params,
                               const handler_context& ctx);

}  // namespace teapot::detail::httpbin

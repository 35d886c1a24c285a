#pragma once
// httpbin's authentication endpoints: /basic-auth/<user>/<passwd> (401 with a
// Basic challenge until the credentials match), /hidden-basic-auth/<user>/<passwd>
// (404 instead, no challenge), /bearer (401 with a Bearer challenge until a token).

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string_view>
#include <vector>

namespace teapot::detail::httpbin {

/// `rest` is "<user>/<passwd>".
response_plan basic_auth(const request& req, std::string_view rest, const std::vector<query_param>& params,
                         const handler_context& ctx);
response_plan hidden_basic_auth(const request& req, std::string_view rest, const std::vector<query_param>& params,
                                const handler_context& ctx);
response_plan bearer(const request& req, std::string_view rest, const std::vector<query_param>& params,
                     const handler_context& ctx);

}  // namespace teapot::detail::httpbin

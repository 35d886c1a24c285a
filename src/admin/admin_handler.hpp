#pragma once
// The admin API under /__teapot/: health, version and the request journal.
// JSON in and out. Guarded: loopback peers only, or a bearer token when one is
// set (admin_access.hpp).

#include "handlers/handler_context.hpp"
#include "handlers/status_knobs.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string_view>
#include <vector>

namespace teapot::detail {

constexpr std::string_view admin_prefix = "/__teapot/";

/// `path` is the percent-decoded path, starting with admin_prefix.
response_plan handle_admin(const request& req, std::string_view path, const std::vector<query_param>& params,
                           const handler_context& ctx);

/// The answer to GET /__teapot/wait once it is decided: 200 when `served` reached
/// what was asked, 408 with the count so far when the time ran out.
response_plan wait_result(const request& req, const journal_wait& wait, std::size_t served);

}  // namespace teapot::detail

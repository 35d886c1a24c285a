#pragma once
// httpbin's redirects: /redirect/<n> (relative, or absolute with ?absolute=true),
// /relative-redirect/<n>, /absolute-redirect/<n>, each a 302 one step closer to
// /get, and /redirect-to?url=&status_code= (any Location, subject to
// --allowed-redirect-hosts). Locations carry --httpbin-prefix.

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace teapot::detail::httpbin {

/// Werkzeug's redirect(): a 302 to `location` with a page that links to it (HEAD: no page).
response_plan flask_redirect(const request& req, const std::string& location);

response_plan redirect(const request& req, std::string_view n, const std::vector<query_param>& params,
                       const handler_context& ctx);
response_plan relative_redirect(const request& req, std::string_view n, const std::vector<query_param>& params,
                                const handler_context& ctx);
response_plan absolute_redirect(const request& req, std::string_view n, const std::vector<query_param>& params,
                                const handler_context& ctx);
response_plan redirect_to(const request& req, std::string_view rest, const std::vector<query_param>& params,
                          const handler_context& ctx);

}  // namespace teapot::detail::httpbin

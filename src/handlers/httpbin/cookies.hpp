#pragma once
// httpbin's cookies: /cookies (what the client sent), /cookies/set?k=v and
// /cookies/set/<name>/<value> (Set-Cookie, then a 302 to /cookies), and
// /cookies/delete?k (an expired Set-Cookie, then the same 302).

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string_view>
#include <vector>

namespace teapot::detail::httpbin {

response_plan cookies(const request& req, std::string_view rest, const std::vector<query_param>& params,
                      const handler_context& ctx);
response_plan set_cookies(const request& req, std::string_view rest, const std::vector<query_param>& params,
                          const handler_context& ctx);
/// /cookies/set/<name>/<value>: `rest` is "<name>/<value>".
response_plan set_cookie_path(const request& req, std::string_view rest, const std::vector<query_param>& params,
                              const handler_context& ctx);
response_plan delete_cookies(const request& req, std::string_view rest, const std::vector<query_param>& params,
                             const handler_context& ctx);

}  // namespace teapot::detail::httpbin

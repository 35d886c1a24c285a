#pragma once
// httpbin's generated documents: /robots.txt, /deny (its angry face),
// /links/<n>[/<offset>] (a page of n links to its siblings) and /forms/post (a
// form that posts to /post).

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string_view>
#include <vector>

namespace teapot::detail::httpbin {

response_plan robots_txt(const request& req, std::string_view rest, const std::vector<query_param>& params,
                         const handler_context& ctx);
response_plan deny(const request& req, std::string_view rest, const std::vector<query_param>& params,
                   const handler_context& ctx);
/// A form with httpbin's fields (firstname, lastname) that posts to /post: a browser's way in.
response_plan forms_post(const request& req, std::string_view rest, const std::vector<query_param>& params,
                         const handler_context& ctx);
/// `rest` is "<n>" (a 302 to /links/<n>/0) or "<n>/<offset>" (the page).
response_plan links(const request& req, std::string_view rest, const std::vector<query_param>& params,
                    const handler_context& ctx);

}  // namespace teapot::detail::httpbin

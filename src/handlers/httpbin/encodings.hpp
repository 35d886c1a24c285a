#pragma once
// httpbin's encoded answers: /gzip, /deflate (zlib-wrapped, as httpbin) and
// /brotli, each the request's origin, headers and method as JSON, compressed by
// the real library, with Content-Encoding and the compressed Content-Length.

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string_view>
#include <vector>

namespace teapot::detail::httpbin {

response_plan gzip(const request& req, std::string_view rest, const std::vector<query_param>& params,
                   const handler_context& ctx);
response_plan deflate(const request& req, std::string_view rest, const std::vector<query_param>& params,
                      const handler_context& ctx);
response_plan brotli(const request& req, std::string_view rest, const std::vector<query_param>& params,
                     const handler_context& ctx);

}  // namespace teapot::detail::httpbin

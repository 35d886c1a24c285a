#pragma once
// httpbin's caching endpoints: /cache (304 to any conditional request, else /get's
// answer with a fresh Last-Modified and ETag), /cache/<n> (Cache-Control:
// public, max-age=n) and /etag/<etag> (If-None-Match → 304, If-Match miss → 412).

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string_view>
#include <vector>

namespace teapot::detail::httpbin {

response_plan cache(const request& req, std::string_view rest, const std::vector<query_param>& params,
                    const handler_context& ctx);
response_plan cache_for(const request& req, std::string_view seconds, const std::vector<query_param>& params,
                        const handler_context& ctx);
response_plan etag(const request& req, std::string_view tag, const std::vector<query_param>& params,
                   const handler_context& ctx);

}  // namespace teapot::detail::httpbin

#pragma once
// httpbin's request-echo endpoints: /get, /post, /put, /patch, /delete,
// /anything[/...], /headers, /ip, /user-agent and /uuid, each answering the
// fields httpbin answers (request_view.hpp), as its JSON.

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace teapot::detail::httpbin {

/// /get: url, args, headers, origin.
response_plan get(const request& req, std::string_view rest, const std::vector<query_param>& params,
                  const handler_context& ctx);
/// /post, /put, /patch, /delete (the router checks the method): the body's fields too.
response_plan body_echo(const request& req, std::string_view rest, const std::vector<query_param>& params,
                        const handler_context& ctx);
/// /anything and /anything/<path>: every field, the method included.
response_plan anything(const request& req, std::string_view rest, const std::vector<query_param>& params,
                       const handler_context& ctx);
response_plan headers(const request& req, std::string_view rest, const std::vector<query_param>& params,
                      const handler_context& ctx);
response_plan ip(const request& req, std::string_view rest, const std::vector<query_param>& params,
                 const handler_context& ctx);
response_plan user_agent(const request& req, std::string_view rest, const std::vector<query_param>& params,
                         const handler_context& ctx);
/// /delay/<seconds>: /anything's fields but the method, after min(seconds, 10 s, --max-delay) on a timer.
response_plan delay(const request& req, std::string_view seconds, const std::vector<query_param>& params,
                    const handler_context& ctx);
/// A version 4 UUID, from the server's random stream (the same ones again under --seed).
std::string uuid4(const handler_context& ctx);
/// /uuid: uuid4() as JSON.
response_plan uuid(const request& req, std::string_view rest, const std::vector<query_param>& params,
                   const handler_context& ctx);

/// /base64/<value>: the base64url value decoded, as text (500 when it is not UTF-8 base64url, as httpbin).
response_plan base64(const request& req, std::string_view value, const std::vector<query_param>& params,
                     const handler_context& ctx);

}  // namespace teapot::detail::httpbin

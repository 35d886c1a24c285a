#pragma once
// go-httpbin's endpoints that httpbin lacks: /sse and /jsonl (events and JSON lines paced on timers),
// /trailers (fields after a chunked body), /unstable (a 500 at a given rate),
// /dump/request (the request as it came), /hostname and /websocket/echo (teapot's
// WebSocket echo).

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string_view>
#include <vector>

namespace teapot::detail::httpbin {

/// `count` events (10; 1 to 1 000) "ping" with their id and time over `duration` (5s), after
/// `delay` (0): durations in teapot's units or seconds; together within --max-delay, else 400.
response_plan sse(const request& req, std::string_view rest, const std::vector<query_param>& params,
                  const handler_context& ctx);
/// /sse's messages as JSON lines (application/jsonl), one whole line a piece.
response_plan jsonl(const request& req, std::string_view rest, const std::vector<query_param>& params,
                    const handler_context& ctx);
/// Each pair a trailer field after the body (chunked, announced by Trailer), the body their
/// JSON; a field a trailer may not carry (RFC 9110 §6.5.1) is a 400. HTTP/1.0 gets the body alone.
response_plan trailers(const request& req, std::string_view rest, const std::vector<query_param>& params,
                       const handler_context& ctx);
/// 500 with probability `failure_rate` (0.5), else 200; `seed` makes the draw repeatable.
response_plan unstable(const request& req, std::string_view rest, const std::vector<query_param>& params,
                       const handler_context& ctx);
/// The request line, its fields in the order and case they came, and its body, as text.
response_plan dump_request(const request& req, std::string_view rest, const std::vector<query_param>& params,
                           const handler_context& ctx);
/// {"hostname": …}: "teapot", or the machine's name under --httpbin-real-hostname.
response_plan hostname(const request& req, std::string_view rest, const std::vector<query_param>& params,
                       const handler_context& ctx);
/// A WebSocket upgrade becomes teapot's echo (as on /status/101); anything else a 426 that says what is needed.
response_plan websocket_echo(const request& req, std::string_view rest, const std::vector<query_param>& params,
                             const handler_context& ctx);

}  // namespace teapot::detail::httpbin

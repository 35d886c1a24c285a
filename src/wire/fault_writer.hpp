#pragma once
// The wire side of faults and pacing (docs/faults.md has each one's bytes):
// what the server does instead of a response (reset, close, hang, garbage), and
// responses that break or trickle (truncate, bad-chunk, wrong_length,
// early-response, slow_headers, a paced body). Every pause is a timer that
// watches the client (watched_wait.hpp), never a sleep.

#include "plan/response_plan.hpp"
#include "wire/byte_stream.hpp"
#include "wire/net.hpp"
#include "wire/plan_writer.hpp"

#include <string>

namespace teapot::detail {

/// reset, close, hang or garbage: the connection ends without a response.
net::awaitable<write_outcome> break_connection(byte_stream& stream, const fault& f, const wire_context& wire);

/// The final response of `plan` with its fault or paced body; `head` is the
/// final head as bytes, framed as the fault calls for (Content-Length off by
/// wrong_length's delta, or chunked for bad-chunk); `body` the body as framed
/// (chunked, trailers and all, for framing::chunked; empty for HEAD).
net::awaitable<write_outcome> write_faulty_response(byte_stream& stream, const response_plan& plan, std::string head,
                                                    std::string_view body, const wire_context& wire);

}  // namespace teapot::detail

#pragma once
// Teapot's own answers, not a status a client asked for: errors (bad knob, unknown
// path, limits exceeded) with a body that says what went wrong, as problem+json /
// JSON when asked for, plain text otherwise; and the bodiless 204 of OPTIONS.

#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string>

namespace teapot::detail {

/// `req` may be null when the request could not be parsed (431, 414...).
response_plan error_plan(int status, const std::string& message, const request* req);

/// 204 No Content with no body and no framing field (RFC 9110 §15.3.5): OPTIONS answers.
response_plan no_content_plan();

}  // namespace teapot::detail

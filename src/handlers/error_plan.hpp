#pragma once
// Teapot's own error answers (bad knob, unknown path, limits exceeded): a
// status, its catalogue reason and a body that says what went wrong, as
// problem+json / JSON when asked for, plain text otherwise.

#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string>

namespace teapot::detail {

/// `req` may be null when the request could not be parsed (431, 414...).
response_plan error_plan(int status, const std::string& message, const request* req);

}  // namespace teapot::detail

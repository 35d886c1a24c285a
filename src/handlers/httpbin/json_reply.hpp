#pragma once
// httpbin's answers with a body: jsonify's (200, application/json, the text as
// Flask writes it and a final newline) and any other; HEAD gets the same head
// without the body.

#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <boost/json/value.hpp>

#include <string_view>

namespace teapot::detail::httpbin {

response_plan json_reply(const request& req, const boost::json::value& value);

/// `status` with `body` as `type`.
response_plan body_reply(const request& req, int status, std::string_view type, response_body body);

}  // namespace teapot::detail::httpbin

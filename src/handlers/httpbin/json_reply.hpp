#pragma once
// httpbin's jsonify: 200, application/json, the text as Flask writes it and a
// final newline; HEAD gets the same head without the body.

#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <boost/json/value.hpp>

namespace teapot::detail::httpbin {

response_plan json_reply(const request& req, const boost::json::value& value);

}  // namespace teapot::detail::httpbin

#pragma once
// How the admin API answers: JSON, never cached, errors as {"status", "error"}.

#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace teapot::detail {

response_plan json_plan(const request& req, int status, const boost::json::value& body);
response_plan admin_error(const request& req, int status, std::string message);
response_plan method_not_allowed(const request& req, std::string_view allow);

}  // namespace teapot::detail

#include "handlers/httpbin/json_reply.hpp"

#include "util/python_json.hpp"

namespace teapot::detail::httpbin {

response_plan json_reply(const request& req, const boost::json::value& value) {
    response_plan plan;
    plan.final_head.status = 200;
    plan.final_head.reason = "OK";
    plan.final_head.set("Content-Type", "application/json");
    plan.body = python_json_text(value) + "\n";
    plan.omit_body = req.method == "HEAD";
    return plan;
}

}  // namespace teapot::detail::httpbin

#include "handlers/httpbin/json_reply.hpp"

#include "util/python_json.hpp"

#include <teapot/catalog.hpp>

namespace teapot::detail::httpbin {

response_plan json_reply(const request& req, const boost::json::value& value) {
    return body_reply(req, 200, "application/json", python_json_text(value) + "\n");
}

response_plan body_reply(const request& req, int status, std::string_view type, response_body body) {
    response_plan plan;
    plan.final_head.status = status;
    plan.final_head.reason = std::string{reason_phrase(status)};
    plan.final_head.set("Content-Type", std::string{type});
    plan.body = std::move(body);
    plan.omit_body = req.method == "HEAD";
    return plan;
}

}  // namespace teapot::detail::httpbin

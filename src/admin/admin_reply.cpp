#include "admin/admin_reply.hpp"

#include "util/json_text.hpp"

#include <teapot/catalog.hpp>

#include <boost/json/object.hpp>

namespace teapot::detail {

response_plan json_plan(const request& req, int status, const boost::json::value& body) {
    response_plan plan;
    plan.final_head.status = status;
    plan.final_head.reason = std::string{reason_phrase(status)};
    plan.final_head.set("Content-Type", "application/json");
    // Test tooling polls these: a cached answer would be a wrong one.
    plan.final_head.set("Cache-Control", "no-store");
    // Every admin answer is written here: valid UTF-8 whatever request bytes it quotes (RFC 8259 §8.1).
    plan.body = json_text(body) + "\n";
    plan.omit_body = req.method == "HEAD";
    return plan;
}

response_plan admin_error(const request& req, int status, std::string message) {
    return json_plan(req, status, boost::json::object{{"status", status}, {"error", std::move(message)}});
}

response_plan method_not_allowed(const request& req, std::string_view allow) {
    auto plan = admin_error(req, 405, std::string{"this admin endpoint answers "} + std::string{allow});
    plan.final_head.set("Allow", std::string{allow});
    return plan;
}

}  // namespace teapot::detail

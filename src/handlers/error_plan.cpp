#include "handlers/error_plan.hpp"

#include "handlers/negotiation.hpp"
#include "util/json_text.hpp"

#include <teapot/catalog.hpp>

#include <boost/json/object.hpp>

namespace teapot::detail {

response_plan error_plan(int status, const std::string& message, const request* req) {
    response_plan plan;
    plan.final_head.status = status;
    plan.final_head.reason = std::string{reason_phrase(status)};
    auto media = req ? negotiate_media(req->header("Accept"), true) : media_type::text;
    if (media == media_type::json || media == media_type::problem_json) {
        boost::json::object o{{"type", "about:blank"},
                              {"title", reason_phrase(status)},
                              {"status", status},
                              {"detail", message},
                              {"error", message}};
        plan.body = json_text(o) + "\n";  // valid UTF-8, whatever of the request the message quotes
    } else {
        // HTML clients get text too: an error from teapot itself is read by people in a terminal.
        media = media_type::text;
        plan.body = std::to_string(status) + " " + std::string{reason_phrase(status)} + "\n" + message + "\n";
    }
    plan.final_head.set("Content-Type", std::string{content_type_of(media)});
    plan.omit_body = req && req->method == "HEAD";
    return plan;
}

response_plan no_content_plan() {
    response_plan plan;
    plan.final_head.status = 204;
    plan.final_head.reason = std::string{reason_phrase(204)};
    plan.body_framing = framing::none;
    return plan;
}

}  // namespace teapot::detail

#include "handlers/codes_handler.hpp"

#include "handlers/error_plan.hpp"
#include "handlers/negotiation.hpp"
#include "handlers/status_body.hpp"
#include "handlers/status_spec.hpp"

#include <teapot/catalog.hpp>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace teapot::detail {
namespace {

response_plan ok(const request& req, std::string body, std::string_view content_type) {
    response_plan plan;
    plan.final_head.status = 200;
    plan.final_head.reason = std::string{reason_phrase(200)};
    plan.final_head.set("Content-Type", std::string{content_type});
    plan.final_head.set("Vary", "Accept-Language");
    plan.body = std::move(body);
    plan.omit_body = req.method == "HEAD";
    return plan;
}

std::optional<language> lang_param(const std::vector<query_param>& params, std::string& error) {
    for (const auto& p : params) {
        if (p.key != "lang") {
            error = "unknown parameter '" + p.key + "': /codes takes only lang=en|fr";
            return std::nullopt;
        }
        if (p.value != "en" && p.value != "fr") {
            error = "invalid lang='" + p.value + "': expected en or fr";
            return std::nullopt;
        }
        return p.value == "fr" ? language::fr : language::en;
    }
    return std::nullopt;
}

}  // namespace

response_plan handle_codes(const request& req, std::string_view code_text, const std::vector<query_param>& params) {
    std::string error;
    auto lang = lang_param(params, error);
    if (!error.empty()) return error_plan(400, error, &req);
    language chosen = lang ? *lang : negotiate_language(req.header("Accept-Language"));

    if (code_text.empty()) {
        boost::json::array all;
        for (const auto& e : status_catalog()) all.push_back(status_json(e.code, chosen));
        return ok(req, boost::json::serialize(all) + "\n", "application/json");
    }
    auto code = parse_status_code(code_text);
    if (!code || !find_status(*code))
        return error_plan(404, "no catalogue entry for '" + std::string{code_text} + "': see /codes for the list",
                          &req);
    return ok(req, boost::json::serialize(status_json(*code, chosen)) + "\n", "application/json");
}

}  // namespace teapot::detail

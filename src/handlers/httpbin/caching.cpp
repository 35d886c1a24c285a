#include "handlers/httpbin/caching.hpp"

#include "handlers/error_plan.hpp"
#include "handlers/httpbin/echo.hpp"
#include "handlers/httpbin/python_args.hpp"
#include "util/field_syntax.hpp"
#include "util/http_date.hpp"

#include <teapot/catalog.hpp>

#include <algorithm>
#include <string>

namespace teapot::detail::httpbin {
namespace {

// httpbin's status_code(304) and (412): no body; a 304 has no Content-Type either.
response_plan bodiless(const request& req, int status) {
    response_plan plan;
    plan.final_head.status = status;
    plan.final_head.reason = std::string{reason_phrase(status)};
    if (status == 304) {
        plan.body_framing = framing::none;  // RFC 9110 §15.4.5
    } else {
        plan.final_head.set("Content-Type", "text/html; charset=utf-8");
    }
    plan.omit_body = req.method == "HEAD";
    return plan;
}

// helpers.parse_multi_value_header: each comma-separated part's tag, past blanks, W/ and an
// opening quote, up to the next quote (so an unquoted tag keeps its trailing blanks, as there).
std::vector<std::string_view> entity_tags(std::string_view field) {
    std::vector<std::string_view> tags;
    if (field.empty()) return tags;
    std::size_t start = 0;
    while (true) {
        const auto comma = field.find(',', start);
        auto part = field.substr(start, comma == std::string_view::npos ? field.npos : comma - start);
        while (!part.empty() && is_python_blank(part.front())) part.remove_prefix(1);
        if (part.starts_with("W/")) part.remove_prefix(2);
        if (part.starts_with('"')) part.remove_prefix(1);
        tags.push_back(part.substr(0, part.find('"')));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return tags;
}

bool has_tag(const std::vector<std::string_view>& tags, std::string_view tag) {
    return std::find(tags.begin(), tags.end(), tag) != tags.end();
}

}  // namespace

response_plan cache(const request& req, std::string_view, const std::vector<query_param>& params,
                    const handler_context& ctx) {
    // httpbin: conditional when If-Modified-Since is set, or If-None-Match is there at all.
    if (!req.header("If-Modified-Since").empty() || req.has_header("If-None-Match")) return bodiless(req, 304);
    auto plan = get(req, {}, params, ctx);
    plan.final_head.set("Last-Modified", std::string{current_http_date()});
    auto tag = uuid4(ctx);
    tag.erase(std::remove(tag.begin(), tag.end(), '-'), tag.end());  // uuid4().hex
    plan.final_head.set("ETag", tag);
    return plan;
}

response_plan cache_for(const request& req, std::string_view seconds, const std::vector<query_param>& params,
                        const handler_context& ctx) {
    const auto digits = werkzeug_digits(seconds);
    if (!digits) return error_plan(404, "no resource at " + std::string{req.target} + ": /cache/<seconds>", &req);
    auto plan = get(req, {}, params, ctx);
    plan.final_head.set("Cache-Control", "public, max-age=" + std::string{*digits});
    return plan;
}

response_plan etag(const request& req, std::string_view tag, const std::vector<query_param>& params,
                   const handler_context& ctx) {
    if (tag.empty() || tag.find('/') != std::string_view::npos)
        return error_plan(404, "no resource at " + std::string{req.target} + ": /etag/<etag>", &req);
    // The tag is sent back as given, unquoted, as httpbin sends it: never one that would end the field.
    if (!is_field_value(tag))
        return error_plan(400, "the etag holds a control character: it cannot be an ETag field", &req);
    const auto none_match = entity_tags(req.header("If-None-Match"));
    const auto match = entity_tags(req.header("If-Match"));
    if (!none_match.empty()) {
        if (has_tag(none_match, tag) || has_tag(none_match, "*")) {
            auto plan = bodiless(req, 304);
            plan.final_head.set("ETag", std::string{tag});
            return plan;
        }
    } else if (!match.empty() && !has_tag(match, tag) && !has_tag(match, "*")) {
        return bodiless(req, 412);
    }
    auto plan = get(req, {}, params, ctx);
    plan.final_head.set("ETag", std::string{tag});
    return plan;
}

}  // namespace teapot::detail::httpbin

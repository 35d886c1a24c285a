#include "handlers/httpbin/documents.hpp"

#include "handlers/error_plan.hpp"
#include "handlers/httpbin/redirects.hpp"
#include "handlers/httpbin/request_view.hpp"

#include <algorithm>
#include <optional>
#include <string>

namespace teapot::detail::httpbin {
namespace {

response_plan text_answer(const request& req, std::string body, const char* type) {
    response_plan plan;
    plan.final_head.status = 200;
    plan.final_head.reason = "OK";
    plan.final_head.set("Content-Type", type);
    plan.body = std::move(body);
    plan.omit_body = req.method == "HEAD";
    return plan;
}

// Werkzeug's int converter, clamped to `cap` (anything larger is alike here).
std::optional<std::size_t> whole(std::string_view s, std::size_t cap) {
    if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    std::size_t v = 0;
    for (char c : s) v = std::min(v * 10 + static_cast<std::size_t>(c - '0'), cap);
    return v;
}

}  // namespace

response_plan robots_txt(const request& req, std::string_view, const std::vector<query_param>&,
                         const handler_context&) {
    return text_answer(req, "User-agent: *\nDisallow: /deny\n", "text/plain");
}

response_plan deny(const request& req, std::string_view, const std::vector<query_param>&, const handler_context&) {
    return text_answer(req,
                       "\n          .-''''''-.\n        .' _      _ '.\n       /   O      O   \\\n"
                       "      :                :\n      |                |\n      :       __       :\n"
                       "       \\  .-\"`  `\"-.  /\n        '.          .'\n          '-......-'\n"
                       "     YOU SHOULDN'T BE HERE\n",
                       "text/plain");
}

response_plan forms_post(const request& req, std::string_view, const std::vector<query_param>&,
                         const handler_context& ctx) {
    return text_answer(req,
                       "<!DOCTYPE html>\n<html>\n<head><title>A form for /post</title></head>\n<body>\n"
                       "<form method=\"post\" action=\"" +
                           ctx.httpbin.prefix +
                           "/post\">\n"
                           "<p><label>First name <input type=\"text\" name=\"firstname\"></label></p>\n"
                           "<p><label>Last name <input type=\"text\" name=\"lastname\"></label></p>\n"
                           "<p><input type=\"submit\" value=\"Send\"></p>\n</form>\n</body>\n</html>\n",
                       "text/html; charset=utf-8");
}

response_plan links(const request& req, std::string_view rest, const std::vector<query_param>&,
                    const handler_context& ctx) {
    const auto slash = rest.find('/');
    const auto n = whole(rest.substr(0, slash), 1000);
    const auto offset =
        slash == std::string_view::npos ? std::optional<std::size_t>{0} : whole(rest.substr(slash + 1), 1000);
    if (!n || !offset)
        return error_plan(404, "no resource at " + std::string{req.target} + ": /links/<n>[/<offset>]", &req);
    const auto count = std::clamp<std::size_t>(*n, 1, 200);  // httpbin's bounds: 1 to 200 links
    const auto base = ctx.httpbin.prefix + "/links/" + std::to_string(count) + "/";
    if (slash == std::string_view::npos) {
        // url_for with Python's int: the digits without their leading zeros, however many.
        const auto digits = rest.substr(std::min(rest.find_first_not_of('0'), rest.size() - 1));
        return flask_redirect(req, ctx.httpbin.prefix + "/links/" + std::string{digits} + "/0");
    }
    std::string html = "<html><head><title>Links</title></head><body>";
    for (std::size_t i = 0; i < count; ++i) {
        const auto label = std::to_string(i);
        html += i == *offset ? label + " " : "<a href='" + base + label + "'>" + label + "</a> ";
    }
    html += "</body></html>";
    return text_answer(req, std::move(html), "text/html; charset=utf-8");
}

}  // namespace teapot::detail::httpbin

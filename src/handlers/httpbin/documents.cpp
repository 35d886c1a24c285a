#include "handlers/httpbin/documents.hpp"

#include "handlers/error_plan.hpp"
#include "handlers/httpbin/assets.hpp"
#include "handlers/httpbin/echo.hpp"
#include "handlers/httpbin/json_reply.hpp"
#include "handlers/httpbin/python_args.hpp"
#include "handlers/httpbin/redirects.hpp"
#include "handlers/httpbin/request_view.hpp"
#include "handlers/negotiation.hpp"
#include "util/field_syntax.hpp"
#include "util/python_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <string>

namespace teapot::detail::httpbin {
namespace {

response_plan text_answer(const request& req, std::string body, std::string_view type) {
    return body_reply(req, 200, type, std::move(body));
}

// An embedded file as the whole body, shared by every answer.
response_plan asset_answer(const request& req, std::string_view name, std::string_view type) {
    return body_reply(req, 200, type, response_body::of_static(asset(name).value()));  // embedded: each name here
}

struct image_kind {
    std::string_view name;  ///< as in /image/<name>
    std::string_view type;  ///< its media type
    std::string_view file;  ///< the embedded file
};

// httpbin's order of preference when Accept names several equally.
constexpr std::array<image_kind, 4> image_kinds{{
    {"webp", "image/webp", "teapot.webp"},
    {"svg", "image/svg+xml", "teapot.svg"},
    {"jpeg", "image/jpeg", "teapot.jpg"},
    {"png", "image/png", "teapot.png"},
}};
constexpr const image_kind& png_kind = image_kinds[3];

response_plan image_answer(const request& req, const image_kind& kind) {
    return asset_answer(req, kind.file, kind.type);
}

// The kind Accept prefers by its q-values (RFC 9110 §12.5.1); among equals, one it names
// outright in httpbin's order, else png (what "image/*" and "*/*" get); none when it accepts none.
const image_kind* preferred_image(std::string_view accept) {
    const image_kind* best = nullptr;
    accept_weight best_weight;
    for (const auto& kind : image_kinds) {
        const auto w = weight_in_accept(accept, kind.type);
        if (w.q <= 0) continue;
        const bool better = !best || w.q > best_weight.q ||
                            (w.q == best_weight.q &&
                             (w.specificity > best_weight.specificity ||
                              (w.specificity == best_weight.specificity && w.specificity < 3 && &kind == &png_kind)));
        if (better) {
            best = &kind;
            best_weight = w;
        }
    }
    return best;
}

// httpbin's 406 for /image, its body as json.dumps writes it by default.
response_plan no_acceptable_image(const request& req) {
    static const std::string body = [] {
        boost::json::array types;
        for (const auto& kind : image_kinds) types.emplace_back(kind.type);
        types.emplace_back("image/*");
        return python_json_text(
            boost::json::object{{"message", "Client did not request a supported media type."}, {"accept", types}},
            {.sort_keys = false, .compact = false});
    }();
    return body_reply(req, 406, "application/json", response_body::of_static(body));
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
    const auto n = werkzeug_count(rest.substr(0, slash), 1000);
    const auto offset =
        slash == std::string_view::npos ? std::optional<std::size_t>{0} : werkzeug_count(rest.substr(slash + 1), 1000);
    if (!n || !offset)
        return error_plan(404, "no resource at " + std::string{req.target} + ": /links/<n>[/<offset>]", &req);
    const auto count = std::clamp<std::size_t>(*n, 1, 200);  // httpbin's bounds: 1 to 200 links
    const auto base = ctx.httpbin.prefix + "/links/" + std::to_string(count) + "/";
    if (slash == std::string_view::npos) {
        // url_for with Python's int: the digits without their leading zeros, however many.
        return flask_redirect(req, ctx.httpbin.prefix + "/links/" + std::string{*werkzeug_digits(rest)} + "/0");
    }
    std::string html = "<html><head><title>Links</title></head><body>";
    for (std::size_t i = 0; i < count; ++i) {
        const auto label = std::to_string(i);
        html += i == *offset ? label + " " : "<a href='" + base + label + "'>" + label + "</a> ";
    }
    html += "</body></html>";
    return text_answer(req, std::move(html), "text/html; charset=utf-8");
}

response_plan upload(const request& req, std::string_view rest, const std::vector<query_param>& params,
                     const handler_context& ctx) {
    if (req.method == "POST") return body_echo(req, rest, params, ctx);
    return text_answer(req,
                       "<!DOCTYPE html>\n<html>\n<head><title>A file for /upload</title></head>\n<body>\n"
                       "<form method=\"post\" action=\"" +
                           ctx.httpbin.prefix +
                           "/upload\" enctype=\"multipart/form-data\">\n"
                           "<p><label>File <input type=\"file\" name=\"file\"></label></p>\n"
                           "<p><label>Comment <input type=\"text\" name=\"comment\"></label></p>\n"
                           "<p><input type=\"submit\" value=\"Upload\"></p>\n</form>\n</body>\n</html>\n",
                       "text/html; charset=utf-8");
}

response_plan html(const request& req, std::string_view, const std::vector<query_param>&, const handler_context&) {
    return asset_answer(req, "moby.html", "text/html; charset=utf-8");
}

response_plan xml(const request& req, std::string_view, const std::vector<query_param>&, const handler_context&) {
    return asset_answer(req, "sample.xml", "application/xml");
}

response_plan json(const request& req, std::string_view, const std::vector<query_param>&, const handler_context&) {
    // sample.xml's slide show, written once as jsonify writes it.
    static const std::string body = [] {
        boost::json::array slides{
            boost::json::object{{"title", "Wake up to WonderWidgets!"}, {"type", "all"}},
            boost::json::object{{"items", boost::json::array{"Why <em>WonderWidgets</em> are great",
                                                             "Who <em>buys</em> WonderWidgets"}},
                                {"title", "Overview"},
                                {"type", "all"}},
        };
        return python_json_text(
                   boost::json::object{{"slideshow", boost::json::object{{"author", "Yours Truly"},
                                                                         {"date", "date of publication"},
                                                                         {"slides", std::move(slides)},
                                                                         {"title", "Sample Slide Show"}}}}) +
               "\n";
    }();
    return body_reply(req, 200, "application/json", response_body::of_static(body));
}

response_plan utf8_page(const request& req, std::string_view, const std::vector<query_param>&, const handler_context&) {
    return asset_answer(req, "utf8.html", "text/html; charset=utf-8");
}

response_plan image(const request& req, std::string_view, const std::vector<query_param>&, const handler_context&) {
    const auto accept = req.header("Accept");
    if (trim_ows(accept).empty()) return image_answer(req, png_kind);  // no preference: httpbin's default
    const auto* kind = preferred_image(accept);
    return kind ? image_answer(req, *kind) : no_acceptable_image(req);
}

response_plan image_of_kind(const request& req, std::string_view rest, const std::vector<query_param>&,
                            const handler_context&) {
    for (const auto& kind : image_kinds)
        if (rest == kind.name) return image_answer(req, kind);
    return error_plan(404, "no image at " + std::string{req.target} + ": /image/png, jpeg, webp or svg", &req);
}

}  // namespace teapot::detail::httpbin

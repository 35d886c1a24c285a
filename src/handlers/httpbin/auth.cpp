#include "handlers/httpbin/auth.hpp"

#include "handlers/error_plan.hpp"
#include "handlers/httpbin/json_reply.hpp"
#include "handlers/httpbin/python_args.hpp"
#include "handlers/httpbin/request_view.hpp"
#include "util/ascii.hpp"
#include "util/base64.hpp"
#include "util/utf8.hpp"

#include <teapot/catalog.hpp>

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <utility>

namespace teapot::detail::httpbin {
namespace {

// "Scheme credentials" split at the first run of blanks (Python's str.split(None, 1)).
std::pair<std::string_view, std::string_view> scheme_and_rest(std::string_view field) {
    while (!field.empty() && is_python_blank(field.front())) field.remove_prefix(1);
    while (!field.empty() && is_python_blank(field.back())) field.remove_suffix(1);
    auto space = field.find_first_of(" \t");
    if (space == std::string_view::npos) return {field, {}};
    auto rest = field.substr(space);
    while (!rest.empty() && is_python_blank(rest.front())) rest.remove_prefix(1);
    return {field.substr(0, space), rest};
}

// Werkzeug's Basic credentials: base64 (RFC 4648, by Beast's decoder) of "user:password",
// both UTF-8; nullopt for anything else.
std::optional<std::pair<std::string, std::string>> basic_credentials(const request& req) {
    auto [scheme, encoded] = scheme_and_rest(req.header("Authorization"));
    if (!iequals(scheme, "Basic") || encoded.empty()) return std::nullopt;
    auto decoded_text = base64_decode(encoded);
    if (!decoded_text) return std::nullopt;
    const auto& decoded = *decoded_text;
    const auto colon = decoded.find(':');
    if (colon == std::string::npos || !is_utf8(decoded)) return std::nullopt;
    return std::pair{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

// httpbin's status_code(): the status with an empty body, typed as Flask types it, except where
// httpbin replaces every field with its challenge (401: WWW-Authenticate, and no Content-Type).
response_plan empty_answer(const request& req, int status, std::string_view challenge = {}) {
    response_plan plan;
    plan.final_head.status = status;
    plan.final_head.reason = std::string{reason_phrase(status)};
    if (challenge.empty())
        plan.final_head.set("Content-Type", "text/html; charset=utf-8");
    else
        plan.final_head.set("WWW-Authenticate", std::string{challenge});
    plan.omit_body = req.method == "HEAD";
    return plan;
}

response_plan basic(const request& req, std::string_view rest, int refusal) {
    const auto expected = two_segments(rest);
    if (!expected) return error_plan(404, "no resource at " + std::string{req.target} + ": <user>/<passwd>", &req);
    const auto given = basic_credentials(req);
    if (!given || given->first != expected->first || given->second != expected->second) {
        return empty_answer(req, refusal, refusal == 401 ? "Basic realm=\"Fake Realm\"" : "");
    }
    return json_reply(req, boost::json::object{{"authenticated", true}, {"user", expected->first}});
}

}  // namespace

response_plan basic_auth(const request& req, std::string_view rest, const std::vector<query_param>&,
                         const handler_context&) {
    return basic(req, rest, 401);
}

response_plan hidden_basic_auth(const request& req, std::string_view rest, const std::vector<query_param>&,
                                const handler_context&) {
    return basic(req, rest, 404);  // no challenge: the resource is not there for a stranger
}

response_plan bearer(const request& req, std::string_view, const std::vector<query_param>&, const handler_context&) {
    // RFC 6750 §2.1: "Bearer" and a token. httpbin strips "Bearer " with str.lstrip, which eats
    // any of those letters at the token's start too ("abc" → "bc"): teapot keeps the token whole.
    auto [scheme, token] = scheme_and_rest(req.header("Authorization"));
    if (!iequals(scheme, "Bearer") || token.empty()) {
        auto plan = empty_answer(req, 401);
        plan.final_head.set("WWW-Authenticate", "Bearer");
        return plan;
    }
    return json_reply(req, boost::json::object{{"authenticated", true},
                                               {"token", is_utf8(token) ? std::string{token} : repaired_utf8(token)}});
}

}  // namespace teapot::detail::httpbin

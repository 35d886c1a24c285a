#include "router/router.hpp"

#include "admin/admin_handler.hpp"
#include "faults/fault_fit.hpp"
#include "handlers/cors.hpp"
#include "handlers/error_plan.hpp"
#include "handlers/httpbin/fault_knob.hpp"
#include "router/builtin_routes.hpp"
#include "scenario/registry.hpp"
#include "util/field_syntax.hpp"
#include "util/json_text.hpp"

#include <boost/json/object.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <exception>
#include <optional>

namespace teapot::detail {
namespace {

std::vector<query_param> query_of(const boost::urls::url_view& url) {
    std::vector<query_param> params;
    for (auto p : url.params()) {
        // "?", "?a=1&" and "?&&a=1" hold empty pairs, which form decoding skips.
        if (p.key.empty() && !p.has_value) continue;
        params.push_back({p.key, p.has_value ? p.value : std::string{}});
    }
    return params;
}

response_plan method_not_allowed(const request& req, std::string_view allow) {
    auto plan = error_plan(405, "this resource answers " + std::string{allow} + " only", &req);
    plan.final_head.set("Allow", std::string{allow});
    return plan;
}

// A plain OPTIONS (not a CORS preflight) to one of httpbin's endpoints: Flask's answer, 200 with Allow.
response_plan httpbin_options(std::string_view allow) {
    response_plan plan;
    plan.final_head.status = 200;
    plan.final_head.reason = "OK";
    plan.final_head.set("Allow", std::string{allow});
    return plan;
}

// The request target, parsed once per request (Boost.URL): path percent-decoded, query pairs.
struct parsed_target {
    std::optional<std::string> error;  ///< why the target is malformed
    std::string path;
    std::vector<query_param> params;
};

// RFC 3986 §3.3: a path made of unreserved characters, sub-delims, ':', '@' and '/'
// only is valid as it stands and decodes to itself.
bool is_plain_path(std::string_view target) {
    // A table: one look per character of every request's target.
    static constexpr auto allowed = [] {
        std::array<bool, 256> table{};
        for (unsigned char c : std::string_view{"-._~!$&'()*+,;=:@/"}) table[c] = true;
        for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
        for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
        for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
        return table;
    }();
    for (unsigned char c : target)
        if (!allowed[c]) return false;
    return true;
}

parsed_target parse_target(const request& req) {
    // The usual /status/418 needs no parser: no query, nothing to decode.
    if (req.target.starts_with('/') && is_plain_path(req.target)) return {std::nullopt, std::string{req.target}, {}};
    if (req.target == "*") return {std::nullopt, "*", {}};  // asterisk-form (RFC 9112 §3.2.4)
    // Origin-form is what clients send; absolute-form is what they send to a proxy (RFC 9112 §3.2).
    auto parsed = req.target.starts_with('/') ? boost::urls::parse_origin_form(req.target)
                                              : boost::urls::parse_absolute_uri(req.target);
    if (!parsed) return {parsed.error().message(), {}, {}};
    return {std::nullopt, parsed->path(), query_of(*parsed)};
}

// A built-in endpoint's answer, into `plan` (assigned once: a plan is large to move).
// False when no endpoint has this path.
bool dispatch(const request& req, const parsed_target& target, const handler_context& ctx, response_plan& plan) {
    if (target.error) {
        // A request line that cannot be read as sent: as for any other, answer and close.
        plan = error_plan(400, "malformed request target: " + *target.error, &req);
        plan.close_after = true;
        return true;
    }
    std::string_view rest;
    const auto* endpoint = find_builtin_route(target.path, rest, ctx.httpbin);
    if (!endpoint) return false;
    if (!allows_method(*endpoint, req.method))
        plan = method_not_allowed(req, endpoint->methods);
    else if (endpoint->httpbin && req.method == "OPTIONS")
        plan = httpbin_options(endpoint->methods);
    else
        plan = endpoint->answer(req, rest, target.params, ctx);
    if (endpoint->httpbin) httpbin::apply_fault_knob(plan, req, target.params, ctx);
    return true;
}

// The admin API, when it is on: matched before the scenarios, which could otherwise shadow it.
bool is_admin_path(const parsed_target& target, const handler_context& ctx) {
    return ctx.admin.enabled && ctx.journal && !target.error && target.path.starts_with(admin_prefix);
}

answer_origin origin_of(const scenario::play_result& played) {
    answer_origin origin;
    if (played.plan) {
        origin.scenario = played.scenario;
        origin.route = played.route;
        origin.step = played.step + 1;
        origin.step_count = played.step_count;
        if (played.alternative) origin.alternative = *played.alternative + 1;
    } else {
        origin.unmatched = played.nearest_miss;
    }
    origin.sessions = played.sessions;
    return origin;
}

// A session key is the request's: percent-decoded from a query parameter it may hold CR,
// LF or NUL, which would end the field and start another (response splitting, RFC 9112
// §2.2). Such a key is shown with every control byte and space percent-encoded.
std::string session_field_value(const std::string& key) {
    if (is_field_value(key)) return key;
    static constexpr std::string_view hex = "0123456789ABCDEF";
    std::string out;
    for (char ch : key) {
        auto c = static_cast<unsigned char>(ch);
        if (c > 0x20 && c != 0x7f) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xF]);
        }
    }
    return out;
}

// --debug-headers: which scenario, route, step and session answered, on the response itself.
void add_debug_headers(response_plan& plan) {
    const auto& o = plan.origin;
    if (o.scenario.empty() || plan.action != response_plan::kind::respond) return;
    plan.final_head.set("X-Teapot-Scenario", o.scenario);
    plan.final_head.set("X-Teapot-Route", o.route);
    if (o.step) plan.final_head.set("X-Teapot-Step", std::to_string(*o.step) + "/" + std::to_string(o.step_count));
    if (!o.sessions.empty()) plan.final_head.set("X-Teapot-Session", session_field_value(o.sessions.front()));
}

response_plan not_found(const request& req, const std::string& nearest_miss) {
    if (nearest_miss.empty())
        return error_plan(404, "no resource at " + std::string{req.target} + ": try /status/<code>, /codes or /", &req);
    // With scenarios loaded the answer is JSON whatever Accept says: it is read by test tooling.
    boost::json::object o{{"type", "about:blank"},
                          {"title", "Not Found"},
                          {"status", 404},
                          {"detail", "no scenario route and no built-in endpoint matched " + std::string{req.target}},
                          {"nearest_route", nearest_miss}};
    auto plan = error_plan(404, "", &req);
    plan.body = json_text(o) + "\n";  // the target and the nearest miss may quote bytes that are not UTF-8
    plan.final_head.set("Content-Type", "application/problem+json");
    return plan;
}

}  // namespace

bool is_admin_request(const request& req, const handler_context& ctx) {
    return !req.target.empty() && ctx.admin.enabled && is_admin_path(parse_target(req), ctx);
}

response_plan route(const request& req, const handler_context& ctx) noexcept {
    // One plan, filled in place and returned by name (no copy): it is moved as little
    // as possible, since moving one moves its dozen strings (docs/design.md).
    response_plan plan;
    try {
        const auto target = parse_target(req);
        // The admin API is not journaled, and it has no CORS: no web page of another
        // origin may read or drive it.
        if (is_admin_path(target, ctx)) {
            plan = handle_admin(req, target.path, target.params, ctx);
            plan.journaled = false;
            if (req.version == 20 && needs_http11(plan)) plan.action = response_plan::kind::http11_required;  // events
            return plan;
        }
        if (is_cors_preflight(req)) {
            plan = cors_preflight_plan(req);
            return plan;
        }
        // Scenario routes first, then the built-in endpoints, then a 404 naming the nearest route.
        bool answered = false;
        std::string nearest_miss;
        answer_origin origin;
        if (ctx.scenarios && ctx.scenarios->has_scenarios()) {
            auto played = ctx.scenarios->play(req);
            origin = origin_of(played);
            if (played.plan) {
                plan = std::move(*played.plan);
                answered = true;
            }
            nearest_miss = std::move(played.nearest_miss);
        }
        if (!answered && !dispatch(req, target, ctx, plan)) plan = not_found(req, nearest_miss);
        // A knob or a scenario step may ask for a fault that this connection cannot carry
        // (the inline test first: the call costs every other HTTP/1 request 25 instructions).
        if (plan.fault.needs_tls() || plan.fault.needs_http2() || req.version == 20) {
            if (auto misfit = transport_misfit(plan.fault, req.tls.get(), ctx.tls_alerts, req.version); !misfit.empty())
                plan = error_plan(400, misfit, &req);
            else if (req.version == 20 && needs_http11(plan))
                plan.action = response_plan::kind::http11_required;
        }
        plan.origin = std::move(origin);
        plan.origin.path = target.error ? std::string{req.target} : target.path;
        if (ctx.debug_headers) add_debug_headers(plan);
    } catch (const std::exception& e) {
        plan = error_plan(500, std::string{"teapot failed to answer: "} + e.what(), &req);
    }
    if (plan.action == response_plan::kind::respond) add_cors_headers(req, plan.final_head);
    // A scenario's delay may exceed --max-delay (?delay= may not): it stops there, and the
    // journal records the wait as it will be.
    plan.delay = std::min(plan.delay, ctx.max_delay);
    return plan;
}

}  // namespace teapot::detail

namespace teapot::detail {

std::optional<response_plan> route_before_body(const request& req, const handler_context& ctx) noexcept {
    try {
        // /status/<code>?fault=early-response is the only built-in early answer: a cheap test first.
        const bool builtin_candidate = req.target.find("early-response") != std::string_view::npos;
        if (ctx.scenarios) {
            auto player = ctx.scenarios->current();
            if (!builtin_candidate && (!player || !player->has_early_responses())) return std::nullopt;
            auto played = ctx.scenarios->play(req, true);
            if (played.plan) {
                add_cors_headers(req, played.plan->final_head);
                played.plan->delay = std::min(played.plan->delay, ctx.max_delay);
                played.plan->origin = origin_of(played);
                return std::move(played.plan);
            }
            if (played.needs_body) return std::nullopt;
        }
        if (!builtin_candidate) return std::nullopt;
        std::optional<response_plan> plan{std::in_place};
        if (!dispatch(req, parse_target(req), ctx, *plan) || plan->fault.what != fault::kind::early_response)
            return std::nullopt;
        add_cors_headers(req, plan->final_head);
        return plan;
    } catch (const std::exception&) {
        return std::nullopt;  // answered after the body, where errors become a 500
    }
}

}  // namespace teapot::detail

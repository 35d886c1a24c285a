#include "admin/admin_scenarios.hpp"

#include "admin/admin_reply.hpp"
#include "journal/verify.hpp"
#include "scenario/registry.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>

namespace teapot::detail {
namespace {

namespace sc = scenario;
namespace json = boost::json;

std::string_view then_name(sc::then_mode then) {
    switch (then) {
        case sc::then_mode::repeat_last: return "repeat-last";
        case sc::then_mode::loop: return "loop";
        case sc::then_mode::pass: return "pass";
        case sc::then_mode::fail: return "fail";
    }
    return {};
}

json::value optional_text(const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); }

json::object route_json(const sc::route& r) {
    json::array methods;
    for (const auto& m : r.match.methods) methods.push_back(json::string{m});
    json::value path = nullptr;
    if (r.match.path) path = (r.match.path->how == sc::path_matcher::kind::regex ? "~" : "") + r.match.path->text;
    json::value limit = nullptr;
    if (r.limit) limit = json::object{{"requests", r.limit->requests}, {"per_ms", r.limit->per.count()}};
    return {{"id", r.id},
            {"methods", std::move(methods)},
            {"path", std::move(path)},
            {"priority", r.priority},
            {"when_state", optional_text(r.when_state)},
            {"steps", r.steps.size()},
            {"then", then_name(r.then)},
            {"limit", std::move(limit)}};
}

json::object session_json(const sc::session_progress& s) {
    json::array routes;
    for (const auto& r : s.routes) {
        json::array quota;
        for (const auto& w : r.quota)
            quota.push_back(json::object{{"key", w.key}, {"used", w.used}, {"resets_in_ms", w.resets_in.count()}});
        routes.push_back(json::object{
            {"route", r.route}, {"step", r.step}, {"served", r.served}, {"done", r.done}, {"quota", std::move(quota)}});
    }
    return {{"session", s.key}, {"state", optional_text(s.state)}, {"routes", std::move(routes)}};
}

response_plan list(const request& req, const handler_context& ctx) {
    json::array out;
    if (auto player = ctx.scenarios ? ctx.scenarios->current() : nullptr) {
        const auto progress = player->progress();
        const auto& loaded = player->scenarios();
        for (std::size_t i = 0; i < loaded.size(); ++i) {
            const auto& s = loaded[i];
            json::array routes, expect, sessions;
            for (const auto& r : s.routes) routes.push_back(route_json(r));
            for (const auto& rule : s.expect) expect.push_back(json::string{describe(rule)});
            for (const auto& session : progress[i]) sessions.push_back(session_json(session));
            out.push_back(json::object{{"name", s.name},
                                       {"file", s.file.empty() ? json::value(nullptr) : json::value(s.file)},
                                       {"resolved_bytes", s.resolved_bytes},
                                       {"seed", s.seed.value_or(player->default_seed())},
                                       {"isolate_by", s.isolate_by.to_string()},
                                       {"routes", std::move(routes)},
                                       {"expect", std::move(expect)},
                                       {"sessions", std::move(sessions)}});
        }
    }
    json::object body{{"scenarios", std::move(out)}};
    if (ctx.scenarios) {
        body["resolved_bytes"] = ctx.scenarios->scenario_bytes();
        body["max_scenario_bytes"] = ctx.scenarios->max_scenario_bytes();
    }
    return json_plan(req, 200, std::move(body));
}

// POST /__teapot/scenarios: the body is one scenario, as a file would hold it (body_file aside).
response_plan load(const request& req, const handler_context& ctx) {
    if (req.body.empty()) return admin_error(req, 400, "post a scenario in the body, as YAML (a file's content)");
    auto result = ctx.scenarios->load_text(req.body, "posted", std::nullopt);
    if (result.refused != sc::reload_result::refusal::none) {
        // Valid, but over --max-scenario-bytes: 413 when no budget left would take it (RFC 9110
        // §15.5.14), 507 when it would fit once others go (RFC 4918 §11.5: the server cannot store it now).
        const int status = result.refused == sc::reload_result::refusal::too_large ? 413 : 507;
        return json_plan(req, status,
                         json::object{{"status", status},
                                      {"error", result.loaded.errors.front().message + "; nothing changed"},
                                      {"scenario_bytes", result.needed_bytes},
                                      {"other_scenarios_bytes", result.other_bytes},
                                      {"max_scenario_bytes", ctx.scenarios->max_scenario_bytes()}});
    }
    if (!result.loaded.ok()) {
        json::array errors;
        for (const auto& e : result.loaded.errors) errors.push_back(json::string{e.to_string()});
        return json_plan(
            req, 400,
            json::object{
                {"status", 400}, {"error", "invalid scenario; nothing changed"}, {"errors", std::move(errors)}});
    }
    const auto& name = result.loaded.scenarios.front().name;
    const auto& added = result.changes.added_scenarios;
    // The first scenario loaded has no previous set to compare with: it is new too.
    const bool created = std::find(added.begin(), added.end(), name) != added.end() ||
                         (added.empty() && result.changes.kept_scenarios.empty());
    auto plan =
        json_plan(req, created ? 201 : 200,
                  json::object{{"loaded", name}, {"replaced", !created}, {"changes", result.changes.to_string()}});
    if (created) plan.final_head.set("Location", "/__teapot/scenarios/" + name);
    return plan;
}

// PUT /__teapot/scenarios/NAME/state?session=K with {"state": "running"} (null clears it).
response_plan set_state(const request& req, const std::string& name, const std::vector<query_param>& params,
                        const handler_context& ctx) {
    std::string session;
    for (const auto& p : params) {
        if (p.key != "session") return admin_error(req, 400, "unknown parameter '" + p.key + "'; expected session");
        session = p.value;
    }
    boost::system::error_code ec;
    auto body = json::parse(req.body, ec);
    const auto* object = ec ? nullptr : body.if_object();
    const auto* state = object ? object->if_contains("state") : nullptr;
    if (!state || !(state->is_string() || state->is_null()) || object->size() != 1)
        return admin_error(req, 400, R"(expected a JSON body {"state": "NAME"}, or {"state": null} to clear it)");
    std::optional<std::string> value;
    if (state->is_string()) value = std::string{state->as_string()};
    if (!ctx.scenarios->set_state(name, session, value))
        return admin_error(req, 404, "no loaded scenario is named " + name);
    return json_plan(req, 200, json::object{{"scenario", name}, {"session", session}, {"state", optional_text(value)}});
}

}  // namespace

response_plan handle_scenarios(const request& req, std::string_view rest, const std::vector<query_param>& params,
                               const handler_context& ctx) {
    if (rest.empty() || rest == "/") {
        if (req.method == "GET" || req.method == "HEAD") return list(req, ctx);
        if (req.method == "POST") return load(req, ctx);
        return method_not_allowed(req, "GET, HEAD, POST");
    }
    rest.remove_prefix(1);
    const auto slash = rest.find('/');
    const std::string name{rest.substr(0, slash)};
    if (slash == std::string_view::npos) {
        if (req.method != "DELETE") return method_not_allowed(req, "DELETE");
        if (!ctx.scenarios->remove(name)) return admin_error(req, 404, "no loaded scenario is named " + name);
        return json_plan(req, 200, json::object{{"removed", name}});
    }
    if (rest.substr(slash) == "/state") {
        if (req.method != "PUT") return method_not_allowed(req, "PUT");
        return set_state(req, name, params, ctx);
    }
    return admin_error(req, 404,
                       "no admin endpoint /__teapot/scenarios/" + std::string{rest} +
                           "; expected /__teapot/scenarios/NAME or /__teapot/scenarios/NAME/state");
}

}  // namespace teapot::detail

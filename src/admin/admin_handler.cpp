#include "admin/admin_handler.hpp"

#include "admin/admin_access.hpp"
#include "admin/admin_reply.hpp"
#include "admin/admin_scenarios.hpp"
#include "admin/dashboard.hpp"
#include "admin/journal_json.hpp"
#include "journal/journal.hpp"
#include "journal/metrics.hpp"
#include "journal/operations.hpp"
#include "journal/verify.hpp"
#include "scenario/registry.hpp"

#include <teapot/catalog.hpp>
#include <teapot/version.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "util/duration.hpp"
#include "util/field_syntax.hpp"
#include "util/json_text.hpp"
#include "util/random_source.hpp"
#include "util/whole_number.hpp"

#include <algorithm>

namespace teapot::detail {
namespace {

// A page of GET /__teapot/requests: this many entries unless limit= says otherwise, at most the maximum.
constexpr std::size_t default_page_entries = 100;
constexpr std::size_t max_page_entries = 1000;

// The journal filters of ?session=&scenario=&route=&path=&since=; an error message when one is wrong.
// `also` names the endpoint's other parameters (count and timeout of wait, limit of requests).
std::optional<journal_filter> parse_filter(const std::vector<query_param>& params, const handler_context& ctx,
                                           std::string& error, std::initializer_list<std::string_view> also) {
    journal_filter f;
    for (const auto& p : params) {
        if (std::find(also.begin(), also.end(), p.key) != also.end()) continue;
        if (p.key == "session") {
            f.session = p.value;
        } else if (p.key == "scenario") {
            f.scenario = p.value;
        } else if (p.key == "route") {
            f.route = p.value;
        } else if (p.key == "path") {
            f.path = p.value;
        } else if (p.key == "since") {
            const auto id = parse_whole<std::uint64_t>(p.value);
            if (!id) {
                error = "since must be a journal entry id (the \"id\" of an entry), not '" + p.value + "'";
                return std::nullopt;
            }
            f.since = id;
        } else {
            error = "unknown filter '" + p.key + "'; expected session, scenario, route, path or since";
            for (std::size_t i = 0; i < also.size(); ++i)
                error.append(i == 0 ? ", with " : i + 1 == also.size() ? " and " : ", ").append(also.begin()[i]);
            return std::nullopt;
        }
    }
    // A route id names a route within a scenario; alone, it must be unique among those loaded.
    if (auto why = resolve_route(f, ctx.scenarios)) {
        error = std::move(*why);
        return std::nullopt;
    }
    return f;
}

// GET /__teapot/requests: one page, oldest first. It is copied from the journal under its lock
// only as far as the page goes, and stops at limit= entries or at --journal-page-bytes of JSON
// (one entry at least), so a listing holds the I/O thread for a bounded time.
response_plan handle_requests(const request& req, const std::vector<query_param>& params, const handler_context& ctx) {
    if (req.method == "DELETE") {
        ctx.journal->clear();
        auto plan = json_plan(req, 200, boost::json::object{{"cleared", true}});
        return plan;
    }
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req, "GET, HEAD, DELETE");
    std::string error;
    auto filter = parse_filter(params, ctx, error, {"limit"});
    if (!filter) return admin_error(req, 400, std::move(error));
    auto limit = default_page_entries;
    for (const auto& p : params) {
        if (p.key != "limit") continue;
        const auto asked = parse_whole<decltype(limit)>(p.value);
        if (asked) limit = *asked;
        if (!asked || limit == 0 || limit > max_page_entries)
            return admin_error(
                req, 400,
                "limit must be a number from 1 to " + std::to_string(max_page_entries) + ", not '" + p.value + "'");
    }
    const auto budget = ctx.journal->limits().page_bytes;
    auto page = ctx.journal->page(*filter, limit, budget);
    boost::json::array list;
    std::size_t bytes = 0;
    auto next_since = filter->since.value_or(0);
    bool more = page.more;
    for (const auto& e : page.entries) {
        auto entry = to_json(e);
        const auto size = json_size(entry) + 1;  // and its comma
        if (!list.empty() && bytes + size > budget) {
            more = true;
            break;
        }
        bytes += size;
        next_since = e.id;
        list.push_back(std::move(entry));
    }
    return json_plan(req, 200,
                     boost::json::object{{"requests", std::move(list)},
                                         {"more", more},
                                         {"next_since", next_since},
                                         {"capacity", ctx.journal->capacity()},
                                         {"dropped", ctx.journal->dropped()},
                                         {"bytes", ctx.journal->bytes()},
                                         {"max_bytes", ctx.journal->limits().bytes}});
}

// GET /__teapot/wait?route=R&session=K&count=3&timeout=5s: the session does the waiting.
response_plan handle_wait(const request& req, const std::vector<query_param>& params, const handler_context& ctx) {
    if (req.method != "GET") return method_not_allowed(req, "GET");
    std::string error;
    auto filter = parse_filter(params, ctx, error, {"count", "timeout"});
    if (!filter) return admin_error(req, 400, std::move(error));
    journal_wait wait;
    wait.filter = std::move(*filter);
    for (const auto& p : params) {
        if (p.key == "count") {
            const auto n = parse_whole<std::size_t>(p.value);
            if (!n || *n == 0 || *n > 1'000'000)
                return admin_error(req, 400, "count must be a number from 1 to 1000000, not '" + p.value + "'");
            wait.count = *n;
        } else if (p.key == "timeout") {
            auto d = parse_duration(p.value);
            if (!d || *d > ctx.max_delay)
                return admin_error(req, 400,
                                   "timeout must be a duration such as 5s, at most --max-delay (" +
                                       format_duration(ctx.max_delay) + "), not '" + p.value + "'");
            wait.timeout = *d;
        }
    }
    wait.timeout = std::min(wait.timeout, ctx.max_delay);
    response_plan plan;
    plan.action = response_plan::kind::wait_for_requests;
    plan.wait = std::make_shared<const journal_wait>(std::move(wait));
    plan.omit_body = req.method == "HEAD";
    return plan;
}

// POST /__teapot/verify?session=K[&scenario=S]: the scenarios' expect rules, or the rules posted.
response_plan handle_verify(const request& req, const std::vector<query_param>& params, const handler_context& ctx) {
    if (req.method != "POST") return method_not_allowed(req, "POST");
    verify_query query;
    for (const auto& p : params) {
        if (p.key == "session")
            query.session = p.value;
        else if (p.key == "scenario")
            query.scenario = p.value;
        else
            return admin_error(req, 400, "unknown parameter '" + p.key + "'; expected session or scenario");
    }
    query.rules = std::string{req.body};
    auto outcome = verify(query, ctx.scenarios, *ctx.journal);
    if (outcome.error) return admin_error(req, 400, std::move(*outcome.error));
    const auto& v = outcome.verdict;
    boost::json::array rules;
    for (const auto& r : v.rules)
        rules.push_back(boost::json::object{
            {"scenario", r.scenario}, {"rule", r.rule}, {"passed", r.passed}, {"detail", r.detail}});
    boost::json::object o{{"verdict", v.passed ? "pass" : "fail"}, {"session", v.session}, {"rules", std::move(rules)}};
    if (!v.passed) o["diff"] = v.diff;
    if (!v.hint.empty()) o["hint"] = v.hint;
    return json_plan(req, v.passed ? 200 : 409, o);
}

// POST /__teapot/reset[?scenario=S][&session=K]: cursors, states, quotas and streams, and the journal.
response_plan handle_reset(const request& req, const std::vector<query_param>& params, const handler_context& ctx) {
    if (req.method != "POST") return method_not_allowed(req, "POST");
    journal_filter narrowed;
    for (const auto& p : params) {
        if (p.key == "scenario")
            narrowed.scenario = p.value;
        else if (p.key == "session")
            narrowed.session = p.value;
        else
            return admin_error(req, 400, "unknown parameter '" + p.key + "'; expected scenario or session");
    }
    if (auto why = reset(narrowed.scenario, narrowed.session, ctx.scenarios, *ctx.journal))
        return admin_error(req, 400, std::move(*why));
    boost::json::object o{{"reset", true}};
    if (narrowed.scenario) o["scenario"] = *narrowed.scenario;
    if (narrowed.session) o["session"] = *narrowed.session;
    return json_plan(req, 200, o);
}

// GET /__teapot/metrics: Prometheus' text format.
response_plan handle_metrics(const request& req, const handler_context& ctx) {
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req, "GET, HEAD");
    metric_gauges gauges;
    gauges.connections = ctx.open_connections ? ctx.open_connections() : 0;
    gauges.journal_entries = ctx.journal->size();
    gauges.journal_dropped = ctx.journal->dropped();
    gauges.journal_bytes = ctx.journal->bytes();
    gauges.journal_waiters = ctx.journal->waiters();
    if (auto player = ctx.scenarios ? ctx.scenarios->current() : nullptr) {
        const auto progress = player->progress();
        for (std::size_t i = 0; i < progress.size(); ++i)  // the global session is not counted
            gauges.sessions.emplace_back(player->scenarios()[i].name, progress[i].size() - 1);
    }
    response_plan plan;
    plan.final_head.status = 200;
    plan.final_head.reason = std::string{reason_phrase(200)};
    plan.final_head.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    plan.final_head.set("Cache-Control", "no-store");
    plan.body = ctx.counters ? ctx.counters->render(gauges) : std::string{};
    plan.omit_body = req.method == "HEAD";
    return plan;
}

// RFC 9110 §8.3.1: type "/" subtype, case-insensitive, parameters after ';'.
bool is_json_or_yaml(std::string_view content_type) {
    auto type = trim_ows(content_type.substr(0, content_type.find(';')));
    for (std::string_view accepted :
         {"application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"})
        if (iequals(type, accepted)) return true;
    // Structured syntax suffixes (RFC 6838 §4.2.8): application/problem+json and the like.
    auto ends_with = [&](std::string_view suffix) {
        return type.size() > suffix.size() && iequals(type.substr(type.size() - suffix.size()), suffix);
    };
    return ends_with("+json") || ends_with("+yaml");
}

// GET /__teapot/ca.pem: the CA certificate the HTTPS listener's leaf chains to.
response_plan handle_ca_pem(const request& req, const handler_context& ctx) {
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req, "GET, HEAD");
    if (ctx.ca_pem.empty())
        return admin_error(req, 404,
                           "no CA certificate: HTTPS is off (start teapot with --tls-port), or --tls-cert serves "
                           "a certificate of your own");
    response_plan plan;
    plan.final_head.status = 200;
    plan.final_head.reason = std::string{reason_phrase(200)};
    plan.final_head.set("Content-Type", "application/x-pem-file");
    plan.final_head.set("Cache-Control", "no-store");  // a new CA each run, unless --tls-ca-cert keeps one
    plan.body = ctx.ca_pem;
    plan.omit_body = req.method == "HEAD";
    return plan;
}

// GET /__teapot/tls: the TLS cases' listeners, with where the CA is.
response_plan handle_tls_listing(const request& req, const handler_context& ctx) {
    if (req.method != "GET" && req.method != "HEAD") return method_not_allowed(req, "GET, HEAD");
    boost::json::array cases;
    if (ctx.tls_cases)
        for (const auto& c : *ctx.tls_cases)
            cases.push_back(
                boost::json::object{{"name", c.name},
                                    {"url", c.url},
                                    {"port", c.port},
                                    {"sni", c.sni.empty() ? boost::json::value(nullptr) : boost::json::value(c.sni)},
                                    {"presents", c.presents},
                                    {"verdict", c.verdict}});
    auto plan = json_plan(req, 200,
                          boost::json::object{{"ca", ctx.ca_pem.empty() ? boost::json::value(nullptr)
                                                                        : boost::json::value("/__teapot/ca.pem")},
                                              {"cases", std::move(cases)}});
    plan.omit_body = req.method == "HEAD";
    return plan;
}

}  // namespace

response_plan handle_admin(const request& req, std::string_view path, const std::vector<query_param>& params,
                           const handler_context& ctx) {
    // Before the access rules: a certificate is public, and a client under test in another
    // container than teapot's must fetch it to trust the HTTPS listener (and find the TLS cases).
    if (path.substr(admin_prefix.size()) == "ca.pem") return handle_ca_pem(req, ctx);
    if (path.substr(admin_prefix.size()) == "tls") return handle_tls_listing(req, ctx);
    const auto refusal = admin_access(req, ctx.admin);
    // The dashboard's page holds no data and asks for the token itself (a login field, never the URL).
    if (refusal == admin_refusal::bad_token && path.substr(admin_prefix.size()) == "ui") return dashboard_page(req);
    switch (refusal) {
        case admin_refusal::none: break;
        case admin_refusal::not_loopback:
            return admin_error(req, 403,
                               "the admin API answers loopback peers only; start teapot with --admin-token to use "
                               "it from elsewhere");
        case admin_refusal::bad_token: {
            auto plan = admin_error(req, 401, "the admin API needs Authorization: Bearer <the --admin-token>");
            plan.final_head.set("WWW-Authenticate", "Bearer realm=\"teapot-admin\"");
            return plan;
        }
        case admin_refusal::cross_site:
            return admin_error(req, 403,
                               "the admin API refuses requests that web pages of another origin send (Origin or "
                               "Sec-Fetch-Site says so): use it from a test, curl or a page teapot serves itself");
        case admin_refusal::foreign_host:
            return admin_error(req, 403,
                               "the admin API answers requests for localhost, 127.0.0.1 or [::1] only, not Host: " +
                                   std::string{req.header("Host")} +
                                   " (a DNS-rebound name); start teapot with --admin-token to use another name");
    }
    // A browser sends text/plain or a form across sites without asking first (a "simple"
    // request); the admin API takes JSON or YAML only, which a page cannot send unasked.
    if (!req.body.empty() && !is_json_or_yaml(req.header("Content-Type"))) {
        auto plan = admin_error(req, 415,
                                "the admin API takes a JSON or YAML body: send Content-Type: application/json or "
                                "application/yaml, not '" +
                                    std::string{req.header("Content-Type")} + "'");
        plan.final_head.set("Accept", "application/json, application/yaml");
        return plan;
    }
    auto endpoint = path.substr(admin_prefix.size());
    const bool read_only = req.method == "GET" || req.method == "HEAD";
    if (endpoint == "health")
        return read_only ? json_plan(req, 200, boost::json::object{{"status", "ready"}})
                         : method_not_allowed(req, "GET, HEAD");
    if (endpoint == "version") {
        if (!read_only) return method_not_allowed(req, "GET, HEAD");
        // The seed as a string: JavaScript's numbers lose integers above 2^53.
        return json_plan(
            req, 200,
            boost::json::object{{"version", teapot::version()},
                                {"seed", ctx.random ? std::to_string(ctx.random->seed()) : std::string{}}});
    }
    if (endpoint == "requests") return handle_requests(req, params, ctx);
    if (endpoint == "reset") return handle_reset(req, params, ctx);
    if (endpoint == "wait") return handle_wait(req, params, ctx);
    if (endpoint == "verify") return handle_verify(req, params, ctx);
    if (endpoint == "metrics") return handle_metrics(req, ctx);
    if (endpoint == "ui") return dashboard_page(req);
    if (endpoint == "events") return dashboard_events(req, ctx);
    if (endpoint == "scenarios" || endpoint.starts_with("scenarios/"))
        return handle_scenarios(req, endpoint.substr(9), params, ctx);
    return admin_error(req, 404,
                       "no admin endpoint " + std::string{path} +
                           "; available: /__teapot/health, /__teapot/version, /__teapot/scenarios, "
                           "/__teapot/requests, /__teapot/wait, /__teapot/verify, /__teapot/reset, /__teapot/metrics, "
                           "/__teapot/ca.pem, /__teapot/tls, /__teapot/ui, /__teapot/events");
}

}  // namespace teapot::detail

namespace teapot::detail {

response_plan wait_result(const request& req, const journal_wait& wait, std::size_t served) {
    if (served >= wait.count) {
        auto plan = json_plan(req, 200, boost::json::object{{"count", served}, {"wanted", wait.count}});
        plan.journaled = false;
        return plan;
    }
    auto plan = json_plan(req, 408,
                          boost::json::object{{"status", 408},
                                              {"error", "timed out after " + format_duration(wait.timeout) + " with " +
                                                            std::to_string(served) + " of " +
                                                            std::to_string(wait.count) + " requests served"},
                                              {"count", served},
                                              {"wanted", wait.count}});
    plan.journaled = false;
    return plan;
}

}  // namespace teapot::detail

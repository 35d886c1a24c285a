#include "router/index_page.hpp"

#include "handlers/status_body.hpp"
#include "router/builtin_routes.hpp"
#include "scenario/player.hpp"
#include "scenario/registry.hpp"

#include <teapot/catalog.hpp>
#include <teapot/version.hpp>

#include <algorithm>
#include <string>
#include <string_view>

namespace teapot::detail {
namespace {

// The page is built per request on an I/O thread: the listing is bounded, and the
// admin API (GET /__teapot/scenarios) has the rest.
constexpr std::size_t listed_scenarios = 50;
constexpr std::size_t listed_routes = 20;

struct example {
    std::string_view href;
    std::string_view what;
};

constexpr example examples[] = {
    {"/status/418", "418 I'm a teapot"},
    {"/status/503", "503 with Retry-After: 1"},
    {"/status/302?location=/status/200", "302 to a Location of your choice"},
    {"/status/103?final=200", "a real interim 103 Early Hints, then 200"},
    {"/status/200?delay=2s", "200 after 2 s (delay=uniform:100ms,300ms draws one)"},
    {"/status/200?stream=64B/250ms", "200 with its body paced, 64 bytes every 250 ms"},
    {"/status/200?fault=reset", "a connection reset instead of an answer"},
    {"/status/200:3,503:1", "200 or 503, one in four a 503"},
    {"/status/444", "444: the connection closed without a byte"},
};

struct knob {
    std::string_view name;
    std::string_view what;
};

constexpr knob knobs[] = {
    {"final=<code>", "the final status after a 1xx (default 200)"},
    {"location=<uri>", "Location of 201 and 3xx"},
    {"retry_after=<seconds or date>", "Retry-After of 429 and 503 (default 1)"},
    {"delay=<duration>", "time to first byte, fixed or drawn (uniform:, lognormal:)"},
    {"fault=<name>",
     "reset, close, hang, garbage:64B, truncate:100B, bad-chunk, wrong_length:+100, early-response, "
     "slow_headers:1B/100ms"},
    {"stream=<bytes>/<interval>", "pace the body"},
    {"header=Name:Value", "add a response field (repeatable)"},
    {"body=, content_type=, reason=", "replace the body, its type, the reason phrase"},
    {"lang=en|fr", "the description's language"},
};

struct endpoint {
    std::string_view name;
    std::string_view what;
};

constexpr endpoint admin_endpoints[] = {
    {"GET /__teapot/scenarios", "the scenarios loaded, with each session's progress; POST one (YAML) to load it"},
    {"GET /__teapot/requests", "the journal of requests, filtered by session, scenario, route or path"},
    {"GET /__teapot/wait", "waits until a number of requests were served (instead of a sleep in a test)"},
    {"POST /__teapot/verify?session=K", "checks a client against the expect: rules of the scenarios it played"},
    {"POST /__teapot/reset", "starts sequences over, by scenario or session"},
    {"GET /__teapot/metrics", "counters in Prometheus' text format"},
    {"GET /__teapot/version", "the version, and the seed that replays this run's random draws"},
};

std::string code_text(std::string_view text) { return "<code>" + html_escape(text) + "</code>"; }

std::string path_text(const scenario::route_match& match) {
    std::string methods;
    for (const auto& m : match.methods) methods.append(methods.empty() ? "" : "|").append(m);
    if (methods.empty()) methods = "any method";
    if (!match.path) return methods + ", any path";
    const auto& p = *match.path;
    return methods + " " + (p.how == scenario::path_matcher::kind::regex ? "~" : "") + p.text;
}

void scenarios_section(std::string& html, const handler_context& ctx) {
    html += "<h2>Scenarios loaded</h2>\n";
    const auto player = ctx.scenarios ? ctx.scenarios->current() : nullptr;
    if (!player || player->scenarios().empty()) {
        html +=
            "<p>None. Start teapot with <code>--scenarios PATH</code>, or post one to "
            "<code>/__teapot/scenarios</code>.</p>\n";
        return;
    }
    const auto& all = player->scenarios();
    html += "<p>" + std::to_string(all.size()) + " scenario" + (all.size() == 1 ? "" : "s") +
            ". A route answers its steps in order, per session (the key named by <code>isolate_by</code>).</p>\n"
            "<table>\n<tr><th>scenario</th><th>isolate_by</th><th>routes</th></tr>\n";
    for (std::size_t i = 0; i < all.size() && i < listed_scenarios; ++i) {
        const auto& sc = all[i];
        html += "<tr><td>" + html_escape(sc.name) + "</td><td>" + html_escape(sc.isolate_by.to_string()) + "</td><td>";
        for (std::size_t r = 0; r < sc.routes.size() && r < listed_routes; ++r)
            html += (r ? "<br>" : "") + code_text(path_text(sc.routes[r].match)) + " " + html_escape(sc.routes[r].id);
        if (sc.routes.size() > listed_routes)
            html += "<br>and " + std::to_string(sc.routes.size() - listed_routes) + " more";
        html += "</td></tr>\n";
    }
    html += "</table>\n";
    if (all.size() > listed_scenarios)
        html += "<p>And " + std::to_string(all.size() - listed_scenarios) +
                " more: <code>GET /__teapot/scenarios</code> lists them all.</p>\n";
}

void admin_section(std::string& html, const handler_context& ctx) {
    html += "<h2>Admin API</h2>\n";
    if (!ctx.admin.enabled) {
        html += "<p>Off (<code>--no-admin</code>).</p>\n";
        return;
    }
    html += std::string{"<p>JSON, under <code>/__teapot/</code>; "} +
            (ctx.admin.token.empty() ? "for loopback clients only (<code>--admin-token</code> opens it to others)"
                                     : "with <code>Authorization: Bearer</code> and the <code>--admin-token</code>") +
            ". Web pages of other origins are refused.</p>\n<ul>\n";
    for (const auto& e : admin_endpoints) html += "<li>" + code_text(e.name) + ": " + html_escape(e.what) + "</li>\n";
    html += "</ul>\n";
}

// httpbin's endpoints, from the route table's own lines (under --httpbin-prefix when set).
void httpbin_section(std::string& html, const handler_context& ctx) {
    html += "<h2>httpbin's endpoints</h2>\n";
    if (!ctx.httpbin.enabled) {
        html += "<p>Off (<code>--no-httpbin</code>).</p>\n";
        return;
    }
    html +=
        "<p>As httpbin 0.7.0 answers them" +
        (ctx.httpbin.prefix.empty() ? std::string{} : ", under <code>" + html_escape(ctx.httpbin.prefix) + "</code>") +
        "; <code>?fault=</code> works on each.</p>\n<ul>\n";
    for (const auto& row : builtin_routes()) {
        if (!row.httpbin || row.prefix)
            continue;  // a prefix row's line repeats its exact sibling's, or needs an argument
        html += "<li><a href=\"" + html_escape(ctx.httpbin.prefix + std::string{row.path}) + "\">" +
                code_text(ctx.httpbin.prefix + std::string{row.path}) +
                "</a>: " + html_escape(row.doc.substr(std::min(row.doc.find(": ") + 2, row.doc.size()))) + "</li>\n";
    }
    html += "</ul>\n<p>And with an argument: ";
    bool first = true;
    for (const auto& row : builtin_routes()) {
        if (!row.httpbin || !row.prefix) continue;
        html +=
            (first ? "" : ", ") + code_text(ctx.httpbin.prefix + std::string{row.doc.substr(0, row.doc.find(": "))});
        first = false;
    }
    html += ".</p>\n";
}

}  // namespace

response_plan handle_index(const request& req, const handler_context& ctx) {
    std::string html =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>teapot</title>\n"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.4}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;"
        "vertical-align:top}li{margin:.2em 0}</style></head>\n<body>\n<h1>teapot " +
        std::string{version()} +
        "</h1>\n<p>A mock HTTP server for testing HTTP clients: real statuses with the headers and bodies "
        "that fit them, faults on the wire, and scripted scenarios a test can verify.</p>\n"
        "<h2>Try it</h2>\n<ul>\n";
    for (const auto& e : examples)
        html += "<li><a href=\"" + html_escape(e.href) + "\">" + code_text(e.href) + "</a>: " + html_escape(e.what) +
                "</li>\n";
    html += "</ul>\n<h2>Knobs on <code>/status/&lt;code&gt;</code></h2>\n<table>\n";
    for (const auto& k : knobs)
        html += "<tr><td>" + code_text(k.name) + "</td><td>" + html_escape(k.what) + "</td></tr>\n";
    html +=
        "</table>\n<p>Knobs combine (<code>?delay=1s&amp;fault=truncate:10B</code>). Other parameters are "
        "ignored and named in <code>X-Teapot-Ignored-Params</code>. <code>Accept</code> picks a text, JSON, "
        "problem+json or HTML body.</p>\n";
    httpbin_section(html, ctx);
    scenarios_section(html, ctx);
    admin_section(html, ctx);
    html +=
        "<h2>Documentation</h2>\n<p>In the repository: <code>README.md</code>, and in <code>docs/</code>: "
        "<code>scenarios.md</code>, <code>faults.md</code>, <code>admin.md</code>, "
        "<code>reliability.md</code> (every limit and its flag). <code>teapot --help</code> lists the flags.</p>\n"
        "<h2>Status codes</h2>\n<p><a href=\"/codes\">/codes</a> has the catalogue as JSON.</p>\n";
    for (const auto& category : status_categories()) {
        html += "<h3>" + std::string{category.label} + " " + html_escape(category.name_en) + "</h3>\n<ul>\n";
        for (const auto& e : status_catalog()) {
            if (e.code / 100 != category.first_digit) continue;
            auto code = std::to_string(e.code);
            html += "<li><a href=\"/status/" + code + "\">" + code + " " + html_escape(e.name) +
                    "</a>: " + html_escape(e.description_en) + "</li>\n";
        }
        html += "</ul>\n";
    }
    html += "</body>\n</html>\n";
    response_plan plan;
    plan.final_head.status = 200;
    plan.final_head.reason = std::string{reason_phrase(200)};
    plan.final_head.set("Content-Type", "text/html; charset=utf-8");
    plan.final_head.set("Cache-Control", "no-store");  // the scenarios listed change
    plan.body = std::move(html);
    plan.omit_body = req.method == "HEAD";
    return plan;
}

}  // namespace teapot::detail

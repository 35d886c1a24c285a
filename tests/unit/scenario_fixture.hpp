#pragma once
// Scenario models built by hand for the unit tests of the matcher and the player:
// matchers, steps, routes, scenarios, requests, and readers of a play's result.

#include "plan/request.hpp"
#include "plan/response_plan.hpp"
#include "scenario/matcher.hpp"
#include "scenario/model.hpp"
#include "scenario/player.hpp"
#include "scenario/random_stream.hpp"
#include "scenario/regex.hpp"
#include "scenario/template.hpp"
#include "util/http_date.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace teapot::test::scenario_fixture {

namespace sc = teapot::detail::scenario;
using teapot::detail::request;
using teapot::detail::response_plan;

using header_list = std::vector<std::pair<std::string_view, std::string_view>>;

inline request make_request(std::string_view method, std::string_view target, header_list headers = {},
                            std::string_view body = {}, unsigned version = 11) {
    request req;
    req.method = method;
    req.target = target;
    req.version = version;
    req.headers = std::move(headers);
    req.body = body;
    return req;
}

inline sc::value_matcher exact(std::string text) {
    sc::value_matcher vm;
    vm.text = std::move(text);
    return vm;
}

inline sc::value_matcher regex(std::string text) {
    sc::value_matcher vm;
    vm.how = sc::value_matcher::kind::regex;
    vm.regex = sc::compile_regex(text).regex;
    vm.text = std::move(text);
    return vm;
}

inline sc::value_matcher present() {
    sc::value_matcher vm;
    vm.how = sc::value_matcher::kind::present;
    vm.text = "*";
    return vm;
}

inline sc::value_matcher absent() {
    sc::value_matcher vm;
    vm.how = sc::value_matcher::kind::absent;
    vm.text = "!";
    return vm;
}

// "/orders/{id}" is a pattern, "~..." a regex, anything else exact: as the loader decides.
inline sc::path_matcher path(std::string text) {
    sc::path_matcher pm;
    if (text.starts_with('~')) {
        pm.how = sc::path_matcher::kind::regex;
        pm.text = text.substr(1);
        pm.regex = sc::compile_regex(pm.text).regex;
        return pm;
    }
    pm.text = text;
    if (text.find('{') == std::string::npos) return pm;
    pm.how = sc::path_matcher::kind::pattern;
    std::size_t start = 0;
    while (start < text.size()) {
        auto slash = text.find('/', start);
        if (slash == std::string::npos) slash = text.size();
        if (slash > start) pm.segments.push_back(text.substr(start, slash - start));
        start = slash + 1;
    }
    return pm;
}

inline sc::route_match on(std::string method, std::string p) {
    sc::route_match m;
    if (!method.empty()) m.methods.push_back(std::move(method));
    if (!p.empty()) m.path = path(std::move(p));
    return m;
}

inline sc::step make_step(int status, std::optional<std::uint64_t> times = 1) {
    sc::step s;
    s.status = status;
    s.times = times;
    return s;
}

inline sc::step text_step(int status, std::string body, std::optional<std::uint64_t> times = 1) {
    auto s = make_step(status, times);
    s.body = std::move(body);
    s.content_type = "text/plain";
    return s;
}

inline sc::route make_route(std::string id, sc::route_match m, std::vector<sc::step> steps,
                            sc::then_mode then = sc::then_mode::repeat_last, int priority = 0) {
    sc::route r;
    r.id = std::move(id);
    r.match = std::move(m);
    r.steps = std::move(steps);
    r.then = then;
    r.priority = priority;
    return r;
}

inline sc::scenario make_scenario(std::string name, std::vector<sc::route> routes, sc::isolation iso = {}) {
    sc::scenario s;
    s.name = std::move(name);
    s.routes = std::move(routes);
    s.isolate_by = std::move(iso);
    return s;
}

inline sc::isolation isolate(sc::isolation::kind by, std::string name) {
    sc::isolation iso;
    iso.by = by;
    iso.name = std::move(name);
    return iso;
}

inline std::vector<sc::scenario> one(sc::scenario s) {
    std::vector<sc::scenario> v;
    v.push_back(std::move(s));
    return v;
}

inline int status_of(const sc::play_result& r) { return r.plan ? r.plan->final_head.status : 0; }

inline int play_status(sc::player& p, const request& req) { return status_of(p.play(req)); }

inline std::string header_of(const sc::play_result& r, std::string_view name) {
    const auto* v = r.plan ? r.plan->final_head.find(name) : nullptr;
    return v ? *v : std::string{};
}

inline std::size_t header_count(const sc::play_result& r, std::string_view name) {
    if (!r.plan) return 0;
    return static_cast<std::size_t>(
        std::count_if(r.plan->final_head.headers.begin(), r.plan->final_head.headers.end(),
                      [&](const auto& h) { return teapot::detail::iequals(h.name, name); }));
}

// A route with a limit of `requests` per `per`, answering 429 (or `reject`) past it.
inline sc::route limited_route(std::uint64_t requests, std::chrono::milliseconds per, std::vector<sc::step> steps,
                               std::optional<sc::step> reject = std::nullopt) {
    auto r = make_route("quota", on("GET", "/q"), std::move(steps));
    sc::route_limit limit;
    limit.requests = requests;
    limit.per = per;
    limit.reject.status = 429;
    if (reject) limit.reject = *reject;
    r.limit = limit;
    return r;
}

}  // namespace teapot::test::scenario_fixture

#include "admin/operations.hpp"

#include "admin/verify.hpp"
#include "scenario/loader.hpp"
#include "scenario/registry.hpp"

#include <algorithm>

namespace teapot::detail {
namespace {

using scenario::expect_rule;

const std::vector<scenario::scenario>& loaded_scenarios(const std::shared_ptr<scenario::player>& player) {
    static const std::vector<scenario::scenario> none;
    return player ? player->scenarios() : none;
}

bool has_route(const scenario::scenario& sc, const std::string& id) {
    return std::any_of(sc.routes.begin(), sc.routes.end(), [&](const scenario::route& r) { return r.id == id; });
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out.append(out.empty() ? "" : ", ").append(n);
    return out;
}

// The scenario a posted rule is about: `only` when given, else the one scenario
// holding every route the rule names. `error` says why there is none.
const scenario::scenario* owner_of(const expect_rule& rule, const std::vector<scenario::scenario>& loaded,
                                   const scenario::scenario* only, std::string& error) {
    std::vector<std::string> routes = rule.order;
    if (!rule.route.empty()) routes.push_back(rule.route);
    if (only) {
        for (const auto& r : routes)
            if (!has_route(*only, r)) {
                error = "scenario " + only->name + " has no route " + r;
                return nullptr;
            }
        return only;
    }
    if (routes.empty()) {
        // no_unmatched is about the session, whatever answered; all_steps_used is about one scenario.
        static const scenario::scenario session_wide;
        if (rule.what == expect_rule::kind::no_unmatched) return loaded.size() == 1 ? &loaded.front() : &session_wide;
        if (loaded.size() == 1) return &loaded.front();
        error = loaded.empty() ? "no scenario is loaded"
                               : "all_steps_used needs scenario=NAME when several scenarios are loaded";
        return nullptr;
    }
    std::vector<const scenario::scenario*> holders;
    for (const auto& sc : loaded)
        if (std::all_of(routes.begin(), routes.end(), [&](const std::string& r) { return has_route(sc, r); }))
            holders.push_back(&sc);
    if (holders.size() == 1) return holders.front();
    if (holders.empty()) {
        error = "no loaded scenario has route" + std::string{routes.size() > 1 ? "s " : " "} + joined(routes);
    } else {
        std::vector<std::string> names;
        for (const auto* sc : holders) names.push_back(sc->name);
        error = "route" + std::string{routes.size() > 1 ? "s " : " "} + joined(routes) +
                " exist in several scenarios (" + joined(names) + "): add scenario=NAME";
    }
    return nullptr;
}

verify_outcome failed(std::string why) {
    verify_outcome out;
    out.error = std::move(why);
    return out;
}

}  // namespace

std::optional<std::string> resolve_route(journal_filter& filter, const scenario::registry* scenarios) {
    if (!filter.route || filter.scenario) return std::nullopt;
    std::vector<std::string> holders;
    for (const auto& sc : loaded_scenarios(scenarios ? scenarios->current() : nullptr))
        if (has_route(sc, *filter.route)) holders.push_back(sc.name);
    if (holders.size() > 1)
        return "route " + *filter.route + " exists in several scenarios (" + joined(holders) + "): add scenario=NAME";
    if (holders.empty()) return "no loaded scenario has a route " + *filter.route;
    filter.scenario = holders.front();
    return std::nullopt;
}

verify_outcome verify(const verify_query& query, const scenario::registry* scenarios, const journal& requests) {
    const auto player = scenarios ? scenarios->current() : nullptr;
    const auto& loaded = loaded_scenarios(player);
    const scenario::scenario* only = nullptr;
    if (query.scenario) {
        auto it = std::find_if(loaded.begin(), loaded.end(),
                               [&](const scenario::scenario& sc) { return sc.name == *query.scenario; });
        if (it == loaded.end()) return failed("no loaded scenario is named " + *query.scenario);
        only = &*it;
    }
    journal_filter session;
    session.session = query.session;
    const auto entries = requests.entries(session);

    verify_outcome out;
    out.verdict.session = query.session;
    auto& rules = out.verdict.rules;
    if (query.rules.empty()) {
        if (loaded.empty())
            return failed("no scenario is loaded: there are no expect rules to verify; post rules instead");
        for (const auto& sc : loaded)
            if (!only || only == &sc)
                for (const auto& rule : sc.expect) rules.push_back(verify_rule(sc, rule, entries));
        if (rules.empty())
            return failed(only ? "scenario " + only->name + " has no expect rules"
                               : std::string{"no loaded scenario has expect rules"});
    } else {
        auto posted = scenario::load_expect_rules(query.rules, "rules");
        if (!posted.ok()) {
            auto invalid = failed("invalid rules:");
            for (const auto& e : posted.errors) {
                invalid.invalid_rules.push_back(e.to_string());
                invalid.error->append("\n").append(e.to_string());
            }
            return invalid;
        }
        for (const auto& rule : posted.rules) {
            std::string why;
            const auto* sc = owner_of(rule, loaded, only, why);
            if (!sc)
                return failed("rules:" + std::to_string(rule.where.line) + ":" + std::to_string(rule.where.column) +
                              ": " + why);
            rules.push_back(verify_rule(*sc, rule, entries));
        }
    }
    out.verdict.passed = std::all_of(rules.begin(), rules.end(), [](const rule_result& r) { return r.passed; });
    for (const auto& r : rules)
        if (!r.passed)
            out.verdict.diff.append(r.scenario.empty() ? "" : r.scenario + ": ")
                .append(r.rule)
                .append(": ")
                .append(r.detail)
                .append("\n");
    return out;
}

std::optional<std::string> reset(const std::optional<std::string>& scenario, const std::optional<std::string>& session,
                                 scenario::registry* scenarios, journal& requests) {
    if (!(scenarios ? scenarios->reset(scenario, session) : !scenario))
        return "no loaded scenario is named " + *scenario;
    journal_filter narrowed;
    narrowed.scenario = scenario;
    narrowed.session = session;
    requests.erase(narrowed);
    return std::nullopt;
}

}  // namespace teapot::detail

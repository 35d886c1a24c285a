#include "journal/operations.hpp"

#include "journal/verify.hpp"
#include "scenario/loader.hpp"
#include "scenario/registry.hpp"

#include <algorithm>
#include <string_view>
#include <unordered_set>

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
    const std::string session = query.session.value_or("");
    journal_filter of_session;
    of_session.session = session;
    const auto entries = requests.entries(of_session);

    // The rules to judge, each with its scenario.
    std::vector<std::pair<const scenario::scenario*, const expect_rule*>> judged;
    std::vector<std::string> touched;  // the scenarios whose rules were picked by the session's requests
    scenario::rules_result posted;     // outlives `judged`, which points into it
    if (query.rules.empty()) {
        if (loaded.empty())
            return failed("no scenario is loaded: there are no expect rules to verify; post rules instead");
        // Collected once: the journal holds up to --journal-size entries, and many scenarios may be loaded.
        std::unordered_set<std::string_view> played;
        for (const auto& e : entries) played.insert(e.scenario);
        auto answered = [&](const scenario::scenario& sc) { return played.contains(sc.name); };
        for (const auto& sc : loaded) {
            if (sc.expect.empty() || (only && only != &sc)) continue;
            // Unnamed, the rules are those of the scenarios this session played: a correct client
            // is not failed on the rules of a scenario it never used. Without a session, all of them.
            if (!only && query.session && !answered(sc)) continue;
            if (!only && query.session) touched.push_back(sc.name);
            for (const auto& rule : sc.expect) judged.emplace_back(&sc, &rule);
        }
        if (judged.empty()) {
            if (only) return failed("scenario " + only->name + " has no expect rules");
            if (!query.session || std::none_of(loaded.begin(), loaded.end(),
                                               [](const scenario::scenario& sc) { return !sc.expect.empty(); }))
                return failed("no loaded scenario has expect rules");
            return failed("session '" + session + "' (" + std::to_string(entries.size()) +
                          " requests recorded) played no scenario that has expect rules: name one with scenario=NAME "
                          "to judge its rules anyway, or check the session key the client sent");
        }
    } else {
        posted = scenario::load_expect_rules(query.rules, "rules");
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
            judged.emplace_back(sc, &rule);
        }
    }
    if (!query.session) {
        // No key named: the global session. Wrong when the rules are about sessions a key isolates.
        for (const auto& [sc, rule] : judged)
            if (sc->isolate_by.by != scenario::isolation::kind::global)
                return failed("name the session to verify: session=KEY (scenario " + sc->name + " isolates by " +
                              sc->isolate_by.to_string() +
                              "); session= with no key verifies the global session, the requests that carried none");
    }

    verify_outcome out;
    out.verdict.session = session;
    auto& rules = out.verdict.rules;
    for (const auto& [sc, rule] : judged) rules.push_back(verify_rule(*sc, *rule, entries));
    out.verdict.passed = std::all_of(rules.begin(), rules.end(), [](const rule_result& r) { return r.passed; });
    std::vector<std::string> failing;
    for (const auto& r : rules) {
        if (r.passed) continue;
        out.verdict.diff.append(r.scenario.empty() ? "" : r.scenario + ": ")
            .append(r.rule)
            .append(": ")
            .append(r.detail)
            .append("\n");
        if (!r.scenario.empty() && std::find(failing.begin(), failing.end(), r.scenario) == failing.end())
            failing.push_back(r.scenario);
    }
    if (!out.verdict.passed && !only && !failing.empty()) {
        // Say which rules were judged and how to judge fewer.
        out.verdict.hint =
            (query.rules.empty() ? (query.session ? "judged the expect rules of the scenarios session '" + session +
                                                        "' played (" + joined(touched) + ")"
                                                  : std::string{"judged the expect rules of every loaded scenario"})
                                 : std::string{"judged the rules posted"}) +
            "; failed: " + joined(failing) + "; add scenario=" + failing.front() + " to judge one scenario alone";
    }
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

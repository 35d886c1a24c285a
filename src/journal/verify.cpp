#include "journal/verify.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

namespace teapot::detail {
namespace {

using scenario::expect_rule;

bool answered_by(const journal_entry& e, const scenario::scenario& sc, const std::string& route) {
    return e.scenario == sc.name && e.route == route;
}

rule_verdict check_count(const scenario::scenario& sc, const expect_rule& rule,
                         const std::vector<journal_entry>& entries) {
    auto n = static_cast<std::uint64_t>(std::count_if(
        entries.begin(), entries.end(), [&](const journal_entry& e) { return answered_by(e, sc, rule.route); }));
    std::string expected = rule.min == rule.max
                               ? std::to_string(rule.min)
                               : "from " + std::to_string(rule.min) + " to " + std::to_string(rule.max);
    return {sc.name, describe(rule), n >= rule.min && n <= rule.max,
            "route " + rule.route + ": expected " + expected + " request(s), got " + std::to_string(n)};
}

rule_verdict check_order(const scenario::scenario& sc, const expect_rule& rule,
                         const std::vector<journal_entry>& entries) {
    // The first request to each route, in the order the rule lists them.
    std::vector<std::uint64_t> first_ids;
    std::string seen;
    for (const auto& route : rule.order) {
        auto it = std::find_if(entries.begin(), entries.end(),
                               [&](const journal_entry& e) { return answered_by(e, sc, route); });
        if (it == entries.end()) return {sc.name, describe(rule), false, "route " + route + " was never requested"};
        first_ids.push_back(it->id);
        seen.append(seen.empty() ? "" : ", ").append(route).append(" (id ").append(std::to_string(it->id)).append(")");
    }
    bool ordered = std::is_sorted(first_ids.begin(), first_ids.end());
    return {sc.name, describe(rule), ordered, "first requests: " + seen};
}

rule_verdict check_no_unmatched(const scenario::scenario& sc, const expect_rule& rule,
                                const std::vector<journal_entry>& entries) {
    std::string list;
    std::size_t n = 0;
    for (const auto& e : entries) {
        if (!e.scenario.empty()) continue;
        if (++n <= 5) list.append(list.empty() ? "" : ", ").append(e.method).append(" ").append(e.target);
    }
    if (n == 0) return {sc.name, describe(rule), true, "every request matched a route"};
    return {sc.name, describe(rule), false,
            std::to_string(n) + " request(s) matched no route: " + list + (n > 5 ? ", ..." : "")};
}

rule_verdict check_all_steps_used(const scenario::scenario& sc, const expect_rule& rule,
                                  const std::vector<journal_entry>& entries) {
    std::string missing;
    for (const auto& r : sc.routes) {
        std::set<std::size_t> used;
        for (const auto& e : entries)
            if (answered_by(e, sc, r.id) && e.step) used.insert(*e.step);
        for (std::size_t step = 1; step <= r.steps.size(); ++step)
            if (!used.count(step))
                missing.append(missing.empty() ? "" : ", ").append(r.id).append(" step ").append(std::to_string(step));
    }
    if (missing.empty()) return {sc.name, describe(rule), true, "every step answered at least once"};
    return {sc.name, describe(rule), false, "never answered: " + missing};
}

rule_verdict check_retry_after(const scenario::scenario& sc, const expect_rule& rule,
                               const std::vector<journal_entry>& entries) {
    const journal_entry* advised = nullptr;  // the last response of the route that carried Retry-After
    std::size_t checked = 0;
    for (const auto& e : entries) {
        if (!answered_by(e, sc, rule.route)) continue;
        if (advised && advised->done) {
            ++checked;
            auto earliest = *advised->done + std::chrono::seconds{*advised->retry_after_s} - retry_after_tolerance;
            if (e.received < earliest) {
                auto waited = std::chrono::duration<double>(e.received - *advised->done).count();
                char text[160];
                std::snprintf(text, sizeof text, "request %llu came %.3f s after a Retry-After: %llu (request %llu)",
                              static_cast<unsigned long long>(e.id), waited,
                              static_cast<unsigned long long>(*advised->retry_after_s),
                              static_cast<unsigned long long>(advised->id));
                return {sc.name, describe(rule), false, text};
            }
        }
        advised = e.retry_after_s ? &e : nullptr;
    }
    return {sc.name, describe(rule), true,
            std::to_string(checked) + " request(s) after a Retry-After, each no earlier than advised (tolerance " +
                std::to_string(retry_after_tolerance.count()) + " ms)"};
}

// Why `facts` (null: plain HTTP) do not meet the rule's; empty when they do.
std::string tls_mismatch(const expect_rule& rule, const tls_facts* facts) {
    if (!facts) return "came over plain HTTP";
    for (const auto& [key, wanted] : rule.tls) {
        if (key == "client_certificate") {
            const bool presented = !facts->client_subject.empty();
            if ((wanted == "true") != presented)
                return presented ? "presented a client certificate (" + facts->client_subject + ")"
                                 : "presented no client certificate";
            continue;
        }
        for (const auto& field : scenario::tls_fact_fields)
            if (field.key == key && facts->*field.member != wanted)
                return "had " + key + " '" + facts->*field.member + "', not '" + wanted + "'";
    }
    return {};
}

rule_verdict check_tls(const scenario::scenario& sc, const expect_rule& rule,
                       const std::vector<journal_entry>& entries) {
    std::size_t checked = 0;
    for (const auto& e : entries) {
        if (!answered_by(e, sc, rule.route)) continue;
        ++checked;
        if (auto why = tls_mismatch(rule, e.tls.get()); !why.empty())
            return {sc.name, describe(rule), false, "request " + std::to_string(e.id) + " " + why};
    }
    // A rule about how requests came holds for none vacuously: that is a count rule's to say, not a pass.
    if (checked == 0) return {sc.name, describe(rule), false, "route " + rule.route + " was never requested"};
    return {sc.name, describe(rule), true, std::to_string(checked) + " request(s), each as required"};
}

}  // namespace

std::string describe(const expect_rule& rule) {
    const std::string key{expect_rule_kind_of(rule.what).key};
    switch (rule.what) {
        case expect_rule::kind::count:
            if (rule.min == rule.max)
                return "{route: " + rule.route + ", " + key + ": " + std::to_string(rule.min) + "}";
            return "{route: " + rule.route + ", " + key + ": {min: " + std::to_string(rule.min) +
                   ", max: " + std::to_string(rule.max) + "}}";
        case expect_rule::kind::order: {
            std::string out = "{" + key + ": [";
            for (std::size_t i = 0; i < rule.order.size(); ++i) out.append(i ? ", " : "").append(rule.order[i]);
            return out + "]}";
        }
        case expect_rule::kind::no_unmatched:
        case expect_rule::kind::all_steps_used: return "{" + key + ": true}";
        case expect_rule::kind::honors_retry_after: return "{route: " + rule.route + ", " + key + ": true}";
        case expect_rule::kind::tls: {
            if (rule.tls.empty()) return "{route: " + rule.route + ", " + key + ": true}";
            std::string facts;
            for (const auto& [name, value] : rule.tls)
                facts.append(facts.empty() ? "" : ", ").append(name + ": " + value);
            return "{route: " + rule.route + ", " + key + ": {" + facts + "}}";
        }
    }
    return {};
}

rule_verdict verify_rule(const scenario::scenario& sc, const expect_rule& rule,
                         const std::vector<journal_entry>& entries) {
    switch (rule.what) {
        case expect_rule::kind::count: return check_count(sc, rule, entries);
        case expect_rule::kind::order: return check_order(sc, rule, entries);
        case expect_rule::kind::no_unmatched: return check_no_unmatched(sc, rule, entries);
        case expect_rule::kind::all_steps_used: return check_all_steps_used(sc, rule, entries);
        case expect_rule::kind::honors_retry_after: return check_retry_after(sc, rule, entries);
        case expect_rule::kind::tls: return check_tls(sc, rule, entries);
    }
    return {};
}

}  // namespace teapot::detail

#include "scenario/player.hpp"

#include "scenario/session_key.hpp"

#include "handlers/status_handler.hpp"
#include "handlers/status_knobs.hpp"
#include "scenario/carry_over.hpp"
#include "scenario/matcher.hpp"
#include "scenario/nearest_miss.hpp"
#include "scenario/random_stream.hpp"
#include "scenario/route_index.hpp"
#include "scenario/session_store.hpp"
#include "scenario/step_answer.hpp"
#include "scenario/template.hpp"
#include "util/byte_size.hpp"
#include "util/field_syntax.hpp"
#include "util/random_source.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <iterator>
#include <list>
#include <mutex>
#include <random>
#include <unordered_map>

namespace teapot::detail::scenario {
namespace {

using clock = std::chrono::steady_clock;

// The mutable side of one scenario: its sessions, behind one lock.
struct scenario_state {
    explicit scenario_state(std::size_t routes) : sessions(routes) {}
    std::mutex mutex;
    bool retired = false;  ///< a reload took its sessions: play on the current player
    session_store sessions;
};

// What the locked part decided for one route.
struct claim {
    enum class kind {
        answered,
        exhausted,
        limited,
        no_quota_room,  ///< the limit needs a new window and the quota budget has no room for it
        wrong_state,
        passed,
        retired,
        not_early
    } what = kind::answered;
    std::size_t step = 0;
    std::string why;                             ///< wrong_state / passed: the reason for nearest_miss
    std::optional<std::size_t> alternative;      ///< answered by a step with one_of: the one drawn
    std::optional<std::uint64_t> retry_after_s;  ///< the route has a limit: seconds left in its window
    /// The random bits of each {{uuid}} the served step renders, drawn in order.
    std::vector<std::array<std::uint64_t, 2>> uuids;
    std::optional<std::chrono::milliseconds> delay;  ///< the served step's random delay, drawn
    std::uint64_t garbage_seed = 0;                  ///< the served step's garbage fault, drawn
};

// A claim that serves nothing: the route does not answer now, for `why`.
claim refusal(claim::kind what, std::string why = {}) {
    claim c;
    c.what = what;
    c.why = std::move(why);
    return c;
}

// How many {{uuid}} a templated step renders per request.
std::size_t uuids_in(const step& st) {
    if (!st.templated) return 0;
    auto count = [](const compiled_template& t) {
        return static_cast<std::size_t>(std::count_if(t.segments().begin(), t.segments().end(), [](const auto& seg) {
            return seg.what == compiled_template::segment::kind::uuid;
        }));
    };
    std::size_t n = st.body_template ? count(*st.body_template) : 0;
    for (const auto& h : st.header_templates) n += count(h);
    return n;
}

bool uses_json(const step& st) {
    if (!st.templated) return false;
    if (st.body_template && st.body_template->uses_json()) return true;
    return std::any_of(st.header_templates.begin(), st.header_templates.end(),
                       [](const compiled_template& t) { return t.uses_json(); });
}

std::string state_text(const std::optional<std::string>& state) { return state ? *state : std::string{"unset"}; }

}  // namespace

struct player::impl {
    std::vector<scenario> scenarios;
    player_limits limits;
    std::vector<std::unique_ptr<scenario_state>> states;  // parallel to scenarios
    /// (scenario, route) in matching order: priority, then scenario name, then declaration.
    std::vector<std::pair<std::size_t, std::size_t>> order;

    /// Per scenario, per route: the seed each session's stream on that route derives from (session_stream_seed).
    std::vector<std::vector<std::uint64_t>> stream_seeds;
    /// Drawn once when there is no --seed: every route of a scenario without a seed derives from it.
    std::uint64_t unseeded;
    /// Some step answers with early-response: requests with a body are played before it is read.
    bool has_early_responses = false;

    /// Which routes a request's path can match: those are tested, the others fail on their path.
    route_index routes_by_path;
    /// The routes by method, for the nearest miss among those the path index leaves out.
    method_index routes_by_method;

    impl(std::vector<scenario> sc, player_limits lim)
        : scenarios(std::move(sc)),
          limits(std::move(lim)),
          unseeded(limits.seed ? *limits.seed : random_source::entropy()) {
        if (!limits.quota) limits.quota = std::make_shared<quota_budget>();
        std::stable_sort(scenarios.begin(), scenarios.end(),
                         [](const scenario& a, const scenario& b) { return a.name < b.name; });
        for (std::size_t i = 0; i < scenarios.size(); ++i) {
            states.push_back(std::make_unique<scenario_state>(scenarios[i].routes.size()));
            const std::uint64_t seed = scenarios[i].seed.value_or(unseeded);
            auto& seeds = stream_seeds.emplace_back();
            for (std::size_t j = 0; j < scenarios[i].routes.size(); ++j) {
                order.emplace_back(i, j);
                for (const auto& answer : scenarios[i].routes[j].steps)
                    if (answer.fault.what == fault::kind::early_response) has_early_responses = true;
                seeds.push_back(stream_seed(seed, scenarios[i].name, scenarios[i].routes[j].id));
            }
        }
        std::stable_sort(order.begin(), order.end(), [this](const auto& a, const auto& b) {
            return scenarios[a.first].routes[a.second].priority > scenarios[b.first].routes[b.second].priority;
        });
        for (std::size_t pos = 0; pos < order.size(); ++pos) {
            const auto& path = scenarios[order[pos].first].routes[order[pos].second].match.path;
            routes_by_path.add(pos, path ? &*path : nullptr);
            routes_by_method.add(pos, scenarios[order[pos].first].routes[order[pos].second].match.methods);
        }
    }

    // The session for `key` ("" the global one), after forgetting the idle ones. Caller holds the lock.
    session* find_session(scenario_state& st, const std::string& key, bool create, clock::time_point now) const {
        return st.sessions.find(key, create, now, limits.max_sessions);
    }

    // The bits of the {{uuid}}s `served` renders, from the session's stream on the route. Drawn here,
    // under the lock, because the stream is the session's shared state: the draws stay
    // in claim order, so a seed replays them. Caller holds the lock.
    void draw_uuids(session& s, std::size_t si, std::size_t ri, const step& served, claim& out) const {
        // The delay first, then the garbage, then the uuids: a documented order, so a seed replays.
        if (served.random_delay) {
            auto& engine = stream(s, si, ri);
            out.delay = served.random_delay->draw([&engine] { return next_unit(engine); });
        }
        if (served.fault.what == fault::kind::garbage) out.garbage_seed = stream(s, si, ri)();
        const std::size_t n = uuids_in(served);
        if (n == 0) return;
        auto& engine = stream(s, si, ri);
        out.uuids.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t high = engine();
            out.uuids.push_back({high, engine()});
        }
    }

    // Session `s`'s stream on route `ri` of scenario `si`, seeded on its first draw.
    std::mt19937_64& stream(session& s, std::size_t si, std::size_t ri) const {
        auto& random = s.routes[ri].random;
        if (!random) random = std::make_unique<std::mt19937_64>(session_stream_seed(stream_seeds[si][ri], s.key));
        return *random;
    }

    // Counts one request against route `r`'s limit, in window `key`. Caller holds the lock.
    quota::verdict take_quota(route_state& rs, const route_limit& limit, const std::string& key, clock::time_point now,
                              std::uint64_t& retry_after_s) const {
        if (!rs.limit) rs.limit = std::make_unique<quota>(limits.quota);
        return rs.limit->take(limit, key, now, retry_after_s);
    }

    // Drops every window that ended, in every session of every scenario, taking one
    // scenario's lock at a time; then tells the budget when the next one ends.
    void sweep_quotas(clock::time_point now) const {
        auto next = clock::time_point::max();
        for (std::size_t si = 0; si < scenarios.size(); ++si) {
            const auto& sc = scenarios[si];
            auto& st = *states[si];
            std::lock_guard lock{st.mutex};
            auto sweep = [&](session& s) {
                for (std::size_t ri = 0; ri < sc.routes.size(); ++ri)
                    if (sc.routes[ri].limit && s.routes[ri].limit)
                        next = std::min(next, s.routes[ri].limit->drop_ended(sc.routes[ri].limit->per, now));
            };
            sweep(st.sessions.global());
            for (auto& s : st.sessions.keyed()) sweep(s);
        }
        limits.quota->swept(next);
    }

    // Claims the next step of route `ri` of scenario `si` for session `key`, atomically:
    // the state check, the quota, the cursor, the draw and set_state all happen under
    // the scenario's lock.
    // `only_if_early`: before the request body is read, claim only a step answering with
    // early-response; anything else is not_early, with nothing changed.
    claim try_claim(std::size_t si, std::size_t ri, const std::string& key, const std::string& limit_key,
                    bool only_if_early = false) {
        const auto& sc = scenarios[si];
        const auto& r = sc.routes[ri];
        auto& st = *states[si];
        auto now = clock::now();

        std::lock_guard lock{st.mutex};
        if (st.retired) return refusal(claim::kind::retired);
        st.sessions.expire(now, limits.session_ttl);
        session* s = find_session(st, key, false, now);
        static const std::optional<std::string> unset;
        const auto& state = s ? s->state : unset;
        if (r.when_state && state != r.when_state)
            return refusal(claim::kind::wrong_state, "state is " + state_text(state) + ", not " + *r.when_state);

        cursor peek = s ? s->routes[ri].at : cursor{};
        skip_empty_steps(peek, r);
        if (peek.done && r.then == then_mode::pass)
            return refusal(claim::kind::passed, "its steps are used up (then: pass)");

        if (only_if_early &&
            ((peek.done && r.then == then_mode::fail) || r.steps[peek.index].fault.what != fault::kind::early_response))
            return refusal(claim::kind::not_early);

        claim out;
        if (r.limit) {
            // Every request the route answers counts, the exhausted ones of then: fail included.
            if (!s) s = find_session(st, key, true, now);
            std::uint64_t seconds = 1;
            const auto verdict = take_quota(s->routes[ri], *r.limit, limit_key, now, seconds);
            if (verdict == quota::verdict::no_room) return refusal(claim::kind::no_quota_room);
            out.retry_after_s = seconds;
            if (verdict == quota::verdict::spent) {
                if (r.limit->reject.set_state) s->state = r.limit->reject.set_state;
                draw_uuids(*s, si, ri, r.limit->reject, out);
                out.what = claim::kind::limited;
                out.step = peek.index;
                return out;
            }
        }
        if (peek.done && r.then == then_mode::fail) {
            out.what = claim::kind::exhausted;
            out.step = r.steps.size() - 1;
            return out;
        }

        if (!s) s = find_session(st, key, true, now);
        auto& rs = s->routes[ri];
        auto& c = rs.at;
        c = peek;
        std::size_t index = c.index;
        const auto& current = r.steps[index];
        const step* served = &current;
        if (!current.one_of.empty()) {
            auto& engine = stream(*s, si, ri);
            std::vector<double> weights;
            weights.reserve(current.one_of.size());
            for (const auto& alt : current.one_of) weights.push_back(alt.weight);
            out.alternative = pick_weighted(weights, next_unit(engine));
            served = &current.one_of[*out.alternative].answer;
        }
        if (served->set_state) s->state = served->set_state;
        draw_uuids(*s, si, ri, *served, out);
        if (!c.done) {
            ++c.served;
            if (current.times && c.served >= *current.times) {
                advance(c, r);
                skip_empty_steps(c, r);
            }
        }
        out.what = claim::kind::answered;
        out.step = index;
        return out;
    }
};

player::player(std::vector<scenario> scenarios, player_limits limits)
    : impl_(std::make_unique<impl>(std::move(scenarios), std::move(limits))) {}

player::~player() = default;

const std::vector<scenario>& player::scenarios() const noexcept { return impl_->scenarios; }

std::uint64_t player::default_seed() const noexcept { return impl_->unseeded; }

reload_changes player::take_over(player& previous, const std::function<void()>& publish) {
    auto& next = *impl_;
    auto& prev = *previous.impl_;
    // Every scenario of the previous player is held still: a claim made on it now would be lost.
    // Claims take one scenario lock at a time, and take_over runs alone, so this cannot deadlock.
    std::vector<std::unique_lock<std::mutex>> frozen;
    frozen.reserve(prev.states.size());
    for (auto& st : prev.states) frozen.emplace_back(st->mutex);

    reload_changes changes;
    std::vector<bool> still_loaded(prev.scenarios.size(), false);
    for (std::size_t si = 0; si < next.scenarios.size(); ++si) {
        const auto& sc = next.scenarios[si];
        auto found = std::find_if(prev.scenarios.begin(), prev.scenarios.end(),
                                  [&sc](const scenario& p) { return p.name == sc.name; });
        if (found == prev.scenarios.end()) {
            changes.added_scenarios.push_back(sc.name);
            continue;
        }
        const auto psi = static_cast<std::size_t>(found - prev.scenarios.begin());
        still_loaded[psi] = true;
        auto& report = changes.kept_scenarios.emplace_back();
        report.name = sc.name;

        const auto kept = continued_routes(*found, prev.stream_seeds[psi], sc, next.stream_seeds[si], report);
        if (!same_isolation(found->isolate_by, sc.isolate_by)) {
            report.sessions_dropped = true;
            continue;
        }
        auto& from = *prev.states[psi];
        auto& to = *next.states[si];
        to.sessions.carry(carried_session(from.sessions.global(), sc.routes.size(), kept));
        for (auto& old_session : from.sessions.keyed())  // most recently used first: the order is kept
            to.sessions.carry(carried_session(old_session, sc.routes.size(), kept));
    }
    for (std::size_t psi = 0; psi < prev.scenarios.size(); ++psi)
        if (!still_loaded[psi]) changes.removed_scenarios.push_back(prev.scenarios[psi].name);

    for (auto& st : prev.states) st->retired = true;
    publish();
    return changes;
}

bool player::reset(const std::optional<std::string>& scenario, const std::optional<std::string>& session_key) {
    bool found = !scenario;
    for (std::size_t si = 0; si < impl_->scenarios.size(); ++si) {
        if (scenario && impl_->scenarios[si].name != *scenario) continue;
        found = true;
        auto& st = *impl_->states[si];
        std::lock_guard lock{st.mutex};
        // "" is the global session, started over; a keyed one is forgotten.
        if (session_key)
            st.sessions.forget(stored_session_key(*session_key));
        else
            st.sessions.clear();
    }
    return found;
}

bool player::set_state(const std::string& scenario, const std::string& session_key, std::optional<std::string> state) {
    for (std::size_t si = 0; si < impl_->scenarios.size(); ++si) {
        if (impl_->scenarios[si].name != scenario) continue;
        auto& st = *impl_->states[si];
        const auto now = clock::now();
        std::lock_guard lock{st.mutex};
        st.sessions.expire(now, impl_->limits.session_ttl);
        impl_->find_session(st, stored_session_key(session_key), true, now)->state = std::move(state);
        return true;
    }
    return false;
}

namespace {

route_progress progress_of(const route& r, const route_state& rs, clock::time_point now) {
    route_progress out;
    out.route = r.id;
    cursor at = rs.at;
    skip_empty_steps(at, r);
    out.step = at.index + 1;
    out.served = at.served;
    out.done = at.done;
    if (r.limit && rs.limit) {
        for (const auto& w : rs.limit->windows()) {
            const auto end = w.opened + r.limit->per;
            if (w.counted == 0 || now >= end) continue;  // no window open
            out.quota.push_back({w.key, w.counted, std::chrono::ceil<std::chrono::milliseconds>(end - now)});
        }
    }
    return out;
}

session_progress progress_of(const scenario& sc, const session& s, clock::time_point now) {
    session_progress out{s.key, s.state, {}};
    for (std::size_t ri = 0; ri < sc.routes.size(); ++ri)
        out.routes.push_back(progress_of(sc.routes[ri], s.routes[ri], now));
    return out;
}

}  // namespace

std::vector<std::vector<session_progress>> player::progress() const {
    std::vector<std::vector<session_progress>> out;
    const auto now = clock::now();
    for (std::size_t si = 0; si < impl_->scenarios.size(); ++si) {
        auto& st = *impl_->states[si];
        std::lock_guard lock{st.mutex};
        st.sessions.expire(now, impl_->limits.session_ttl);
        auto& list = out.emplace_back();
        list.push_back(progress_of(impl_->scenarios[si], st.sessions.global(), now));
        for (const auto& s : st.sessions.keyed()) list.push_back(progress_of(impl_->scenarios[si], s, now));
    }
    return out;
}

bool player::has_early_responses() const noexcept { return impl_->has_early_responses; }

play_result player::play(const request& req, bool before_body) {
    play_result result;
    match_subject subject{req, impl_->limits.max_regex_work};
    std::vector<std::optional<std::string>> keys(impl_->scenarios.size());  // computed on first need

    nearest_miss nearest;  // for the 404
    const auto candidates = impl_->routes_by_path.candidates(subject);
    for (const auto pos : candidates) {
        const auto [si, ri] = impl_->order[pos];
        const auto& sc = impl_->scenarios[si];
        const auto& r = sc.routes[ri];
        // Matching is pure and runs outside any lock; only the claim is serialized.
        auto m = match(r.match, subject);
        // Before the body: a route testing it may yet match, so nothing can answer early.
        if (before_body && r.match.body.how != body_matcher::kind::any && (m.matched || m.failed == criterion::body)) {
            result.needs_body = true;
            return result;
        }
        std::string why = std::move(m.reason);
        // Nearness, for the 404: each criterion passed counts two; a path that matched
        // with the wrong method (3) beats a method that matched a wrong path (2).
        int passed = m.only_method_failed ? 3 : 2 * m.passed;
        if (m.matched) {
            if (!keys[si]) keys[si] = session_key(sc.isolate_by, subject);
            std::string limit_key;
            if (r.limit && r.limit->key == route_limit::key_kind::header)
                limit_key = std::string{req.header(r.limit->header)};
            auto c = impl_->try_claim(si, ri, *keys[si], limit_key, before_body);
            // The quota budget has no room: windows that ended are reclaimed (one sweep at a time), then once more.
            if (c.what == claim::kind::no_quota_room && impl_->limits.quota->begin_sweep(clock::now())) {
                impl_->sweep_quotas(clock::now());
                c = impl_->try_claim(si, ri, *keys[si], limit_key, before_body);
            }
            if (c.what == claim::kind::no_quota_room) {
                result.plan = no_quota_room_plan(req, sc, r, *impl_->limits.quota);
                result.scenario = sc.name;
                result.route = r.id;
                result.step_count = r.steps.size();
                result.nearest_miss.clear();
                if (!keys[si]->empty()) result.sessions.push_back(*keys[si]);
                return result;
            }
            if (c.what == claim::kind::not_early) {
                result.needs_body = true;
                return result;
            }
            if (c.what == claim::kind::retired) {
                result.retired = true;
                result.nearest_miss.clear();
                return result;
            }
            if (c.what == claim::kind::answered || c.what == claim::kind::exhausted || c.what == claim::kind::limited) {
                const step* served = nullptr;
                if (c.what == claim::kind::limited) {
                    served = &r.limit->reject;
                } else if (c.what == claim::kind::answered) {
                    const auto& st = r.steps[c.step];
                    served = c.alternative ? &st.one_of[*c.alternative].answer : &st;
                }
                // Rendered here, outside the lock: everything it reads is this request's.
                template_context ctx;
                std::size_t next_uuid = 0;
                if (served && served->templated) {
                    static const boost::json::value
                        not_json;  // a body that is not JSON: parsed once, not per placeholder
                    ctx.req = &req;
                    ctx.captures = &m.captures;
                    if (uses_json(*served)) {
                        const auto* body = subject.json_body();
                        ctx.json_body = body ? body : &not_json;
                    }
                    ctx.session = *keys[si];
                    ctx.step_index = c.step + 1;
                    ctx.step_count = r.steps.size();
                    ctx.now = std::time(nullptr);
                    ctx.random128 = [&c, &next_uuid]() -> std::array<std::uint64_t, 2> {
                        // Drawn at the claim, one pair per {{uuid}}: never more asked for.
                        return next_uuid < c.uuids.size() ? c.uuids[next_uuid++] : std::array<std::uint64_t, 2>{};
                    };
                    ctx.retry_after_s = c.retry_after_s;
                }
                const template_context* rendering = served && served->templated ? &ctx : nullptr;
                const step_draws draws{c.delay, c.garbage_seed};
                if (c.what == claim::kind::limited) {
                    result.plan = reject_plan(req, *served, c.retry_after_s.value_or(1), rendering, draws);
                } else if (c.what == claim::kind::exhausted) {
                    result.plan = exhausted_plan(req, sc, r);
                } else {
                    result.plan = step_plan(req, *served, rendering, draws);
                }
                result.scenario = sc.name;
                result.route = r.id;
                result.step = c.step;
                result.step_count = r.steps.size();
                result.exhausted = c.what == claim::kind::exhausted;
                result.limited = c.what == claim::kind::limited;
                result.alternative = c.alternative;
                result.retry_after_s = c.retry_after_s;
                result.nearest_miss.clear();
                if (!keys[si]->empty()) result.sessions.push_back(*keys[si]);
                return result;
            }
            why = std::move(c.why);
            passed = c.what == claim::kind::wrong_state ? 11 : 12;  // matched, but refused: nearest of all
        }
        nearest.consider(passed, pos, std::move(why));
    }
    // No route answered: the routes the path index left out may hold the nearest miss.
    if (auto outside = impl_->routes_by_method.nearest_outside(candidates, req.method, impl_->order.size()))
        nearest.consider(outside->first, outside->second, std::nullopt);
    if (nearest.found()) {
        const auto [si, ri] = impl_->order[nearest.position()];
        const auto& r = impl_->scenarios[si].routes[ri];
        auto& best_why = nearest.why();
        if (!best_why) best_why = match(r.match, subject).reason;
        result.nearest_miss = "route ";
        result.nearest_miss.append(r.id)
            .append(" of ")
            .append(impl_->scenarios[si].name)
            .append(": ")
            .append(*best_why);
    }
    // Unmatched: the journal files it under every session the request names.
    for (std::size_t si = 0; si < impl_->scenarios.size(); ++si) {
        if (!keys[si]) keys[si] = session_key(impl_->scenarios[si].isolate_by, subject);
        if (!keys[si]->empty() &&
            std::find(result.sessions.begin(), result.sessions.end(), *keys[si]) == result.sessions.end())
            result.sessions.push_back(*keys[si]);
    }
    return result;
}

}  // namespace teapot::detail::scenario

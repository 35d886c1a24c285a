#include "scenario/player.hpp"

#include "scenario/session_key.hpp"

#include "handlers/status_handler.hpp"
#include "handlers/status_knobs.hpp"
#include "scenario/matcher.hpp"
#include "scenario/random_stream.hpp"
#include "scenario/route_index.hpp"
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

// Where one route of one session stands in its steps.
struct cursor {
    std::size_t index = 0;     ///< the step answering next
    std::uint64_t served = 0;  ///< requests that step has answered so far
    bool done = false;         ///< every step used up (repeat-last, pass, fail)
};

// One route of one session: its cursor, and what only some routes need,
// allocated on first use (an engine is 2.5 KB; most routes never draw).
struct route_state {
    cursor at;
    std::unique_ptr<std::mt19937_64> random;
    std::unique_ptr<quota> limit;
};

struct session {
    std::string key;
    std::vector<route_state> routes;  ///< one per route of the scenario
    std::optional<std::string> state;
    clock::time_point last_used;
};

// The mutable side of one scenario: its sessions, behind one lock.
struct scenario_state {
    std::mutex mutex;
    bool retired = false;         ///< a reload took its sessions: play on the current player
    session global;               ///< requests without the key; never expires
    std::list<session> sessions;  ///< keyed sessions, most recently used first
    std::unordered_map<std::string, std::list<session>::iterator> by_key;
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

// RFC 6265 §4.2.1: Cookie: name=value; name2=value2 (a value may be quoted).
std::string_view cookie_value(const request& req, std::string_view name) {
    for (const auto& [field, value] : req.headers) {
        if (!iequals(field, "Cookie")) continue;
        std::string_view list = value;
        while (!list.empty()) {
            auto semi = list.find(';');
            auto pair = trim_ows(list.substr(0, semi));
            auto eq = pair.find('=');
            if (eq != std::string_view::npos && trim_ows(pair.substr(0, eq)) == name) {
                auto v = trim_ows(pair.substr(eq + 1));
                if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
                return v;
            }
            if (semi == std::string_view::npos) break;
            list.remove_prefix(semi + 1);
        }
    }
    return {};
}

// The session key of `sc` for this request; empty: the global session.
std::string session_key(const isolation& iso, const match_subject& s) {
    switch (iso.by) {
        case isolation::kind::global: return {};
        case isolation::kind::header: return stored_session_key(s.req().header(iso.name));
        case isolation::kind::query: {
            const auto* v = s.query_value(iso.name);
            return v ? stored_session_key(*v) : std::string{};
        }
        case isolation::kind::cookie: return stored_session_key(cookie_value(s.req(), iso.name));
    }
    return {};
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

// Moves `c` past the step it stands on.
void advance(cursor& c, const route& r) {
    c.served = 0;
    if (++c.index < r.steps.size()) return;
    if (r.then == then_mode::loop) {
        c.index = 0;
    } else {
        c.index = r.steps.size() - 1;
        c.done = true;
    }
}

// A step of `times: 0` answers nothing: step over it (a full lap at most, for loop).
void skip_empty_steps(cursor& c, const route& r) {
    for (std::size_t laps = 0; !c.done && laps <= r.steps.size(); ++laps) {
        const auto& times = r.steps[c.index].times;
        if (!times || *times > 0) return;
        advance(c, r);
    }
    c.done = true;
}

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
    /// Positions of the routes by the methods they take (any_method: those without `method`),
    /// for the nearest miss among the routes the path index leaves out.
    std::unordered_map<std::string, std::vector<std::size_t>> by_method;
    std::vector<std::size_t> any_method;

    // The first position of `list` not in `excluded` (both ascending), if any.
    static std::optional<std::size_t> first_not_in(const std::vector<std::size_t>& list,
                                                   const std::vector<std::size_t>& excluded) {
        for (auto pos : list)
            if (!std::binary_search(excluded.begin(), excluded.end(), pos)) return pos;
        return std::nullopt;
    }

    // The nearest miss among the routes outside `candidates`: they fail on their path, so
    // their nearness is their method's alone, as the matcher counts it (2 when it fits, else
    // 0); the first in matching order wins a tie. Found without looking at every route.
    std::optional<std::pair<int, std::size_t>> nearest_outside(const std::vector<std::size_t>& candidates,
                                                               std::string_view method) const {
        std::optional<std::size_t> fits = first_not_in(any_method, candidates);
        auto consider = [&](std::string_view name) {
            if (auto it = by_method.find(std::string{name}); it != by_method.end())
                if (auto pos = first_not_in(it->second, candidates); pos && (!fits || *pos < *fits)) fits = pos;
        };
        consider(method);
        if (method == "HEAD") consider("GET");  // HEAD counts as GET (matcher.hpp)
        if (fits) return std::pair{2, *fits};
        for (std::size_t pos = 0; pos < order.size(); ++pos)
            if (!std::binary_search(candidates.begin(), candidates.end(), pos)) return std::pair{0, pos};
        return std::nullopt;
    }

    impl(std::vector<scenario> sc, player_limits lim)
        : scenarios(std::move(sc)),
          limits(std::move(lim)),
          unseeded(limits.seed ? *limits.seed : random_source::entropy()) {
        if (!limits.quota) limits.quota = std::make_shared<quota_budget>();
        std::stable_sort(scenarios.begin(), scenarios.end(),
                         [](const scenario& a, const scenario& b) { return a.name < b.name; });
        for (std::size_t i = 0; i < scenarios.size(); ++i) {
            auto st = std::make_unique<scenario_state>();
            st->global.routes.resize(scenarios[i].routes.size());
            states.push_back(std::move(st));
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
            const auto& methods = scenarios[order[pos].first].routes[order[pos].second].match.methods;
            if (methods.empty()) any_method.push_back(pos);
            for (const auto& m : methods) by_method[m].push_back(pos);
        }
    }

    // Forgets idle sessions: the least recently used sit at the back. Caller holds the lock.
    void expire(scenario_state& st, clock::time_point now) const {
        while (!st.sessions.empty() && now - st.sessions.back().last_used > limits.session_ttl) {
            st.by_key.erase(st.sessions.back().key);
            st.sessions.pop_back();
        }
    }

    // The session for `key`, touched; nullptr when there is none and `create` is false.
    session* find_session(scenario_state& st, std::size_t routes, const std::string& key, bool create,
                          clock::time_point now) const {
        if (key.empty()) return &st.global;
        if (auto it = st.by_key.find(key); it != st.by_key.end()) {
            st.sessions.splice(st.sessions.begin(), st.sessions, it->second);
            it->second->last_used = now;
            return &*it->second;
        }
        if (!create) return nullptr;
        while (!st.sessions.empty() && st.sessions.size() >= std::max<std::size_t>(limits.max_sessions, 1)) {
            st.by_key.erase(st.sessions.back().key);
            st.sessions.pop_back();
        }
        st.sessions.push_front(session{key, std::vector<route_state>(routes), std::nullopt, now});
        st.by_key.emplace(key, st.sessions.begin());
        return &st.sessions.front();
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
            sweep(st.global);
            for (auto& s : st.sessions) sweep(s);
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
        expire(st, now);
        session* s = find_session(st, sc.routes.size(), key, false, now);
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
            if (!s) s = find_session(st, sc.routes.size(), key, true, now);
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

        if (!s) s = find_session(st, sc.routes.size(), key, true, now);
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

namespace {

// What the claim drew for the step served.
struct step_draws {
    std::optional<std::chrono::milliseconds> delay;
    std::uint64_t garbage_seed = 0;
};

// `ctx` is for a templated step: its body and header values are rendered from it.
response_plan step_plan(const request& req, const step& st, const template_context* ctx, const step_draws& draws) {
    status_knobs knobs;
    knobs.reason = st.reason;
    knobs.headers = st.headers;
    knobs.body = st.body;
    knobs.content_type = st.content_type;
    knobs.delay = draws.delay.value_or(st.delay);
    knobs.fault = st.fault;
    knobs.fault.garbage_seed = draws.garbage_seed;
    knobs.stream = st.stream;
    if (ctx && st.templated) {
        if (st.body_template) knobs.body = render(*st.body_template, *ctx);
        for (std::size_t i = 0; i < knobs.headers.size() && i < st.header_templates.size(); ++i)
            knobs.headers[i].value = render_field_value(st.header_templates[i], *ctx);
    }
    auto plan = plan_for_code(req, st.status, knobs);
    // §15.2: never a 1xx to an HTTP/1.0 client.
    if (plan.action == response_plan::kind::respond && req.version >= 11 && !st.interim.empty()) {
        std::vector<message_head> heads;
        for (int code : st.interim) heads.push_back(interim_response_head(code));
        plan.interim.insert(plan.interim.begin(), heads.begin(), heads.end());
    }
    return plan;
}

// A limit's reject: a 429 without its own Retry-After says when the window reopens
// (RFC 6585 §4, RFC 9110 §10.2.3), instead of the catalogue's fixed "1".
response_plan reject_plan(const request& req, const step& reject, std::uint64_t retry_after_s,
                          const template_context* ctx, const step_draws& draws) {
    if (reject.status != 429 || std::any_of(reject.headers.begin(), reject.headers.end(),
                                            [](const auto& h) { return iequals(h.name, "Retry-After"); }))
        return step_plan(req, reject, ctx, draws);
    step with_retry = reject;
    with_retry.headers.push_back({"Retry-After", std::to_string(retry_after_s)});
    // Appended after the templated headers: they keep their indexes in header_templates.
    return step_plan(req, with_retry, ctx, draws);
}

// The quota windows fill --max-quota-bytes and none has ended: a 503, since the server lacks the
// room and not the client its quota (RFC 9110 §15.6.4), with Retry-After at the earliest end.
response_plan no_quota_room_plan(const request& req, const scenario& sc, const route& r, const quota_budget& budget) {
    status_knobs knobs;
    std::string body = "route ";
    body.append(r.id).append(" of scenario ").append(sc.name);
    body.append(": its limit needs a quota window for a new key, and the windows of every route's limit hold ");
    body.append(format_byte_size(budget.used())).append(" of --max-quota-bytes (");
    body.append(format_byte_size(budget.max())).append("), none ended; retry later, or raise --max-quota-bytes\n");
    knobs.body = std::move(body);
    knobs.content_type = "text/plain; charset=utf-8";
    knobs.retry_after = std::to_string(budget.seconds_to_room(clock::now()));
    return plan_for_code(req, 503, knobs);
}

response_plan exhausted_plan(const request& req, const scenario& sc, const route& r) {
    status_knobs knobs;
    std::string body = "route ";
    body.append(r.id).append(" of scenario ").append(sc.name).append(": its sequence of ");
    body.append(std::to_string(r.steps.size())).append(" step(s) is exhausted (then: fail)\n");
    knobs.body = std::move(body);
    knobs.content_type = "text/plain; charset=utf-8";
    std::string tag = sc.name;
    tag.append("/").append(r.id);
    knobs.headers.push_back({"X-Teapot-Exhausted", std::move(tag)});
    return plan_for_code(req, 500, knobs);
}

}  // namespace

player::player(std::vector<scenario> scenarios, player_limits limits)
    : impl_(std::make_unique<impl>(std::move(scenarios), std::move(limits))) {}

player::~player() = default;

const std::vector<scenario>& player::scenarios() const noexcept { return impl_->scenarios; }

std::uint64_t player::default_seed() const noexcept { return impl_->unseeded; }

namespace {

bool same_isolation(const isolation& a, const isolation& b) { return a.by == b.by && a.name == b.name; }

// A session of the next player with `old`'s key, named state and age, and the
// route states of the routes `kept` maps (next index → previous index) moved in.
session carried_session(session& old, std::size_t routes, const std::vector<std::optional<std::size_t>>& kept) {
    session next{old.key, std::vector<route_state>(routes), old.state, old.last_used};
    for (std::size_t i = 0; i < routes; ++i)
        if (kept[i]) next.routes[i] = std::move(old.routes[*kept[i]]);
    return next;
}

}  // namespace

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

        // Which previous route each route continues, when its id, content and stream are unchanged.
        std::vector<std::optional<std::size_t>> kept(sc.routes.size());
        std::vector<bool> continued(found->routes.size(), false);
        for (std::size_t ri = 0; ri < sc.routes.size(); ++ri) {
            const auto& r = sc.routes[ri];
            auto old =
                std::find_if(found->routes.begin(), found->routes.end(), [&r](const route& p) { return p.id == r.id; });
            if (old == found->routes.end()) {
                report.added.push_back(r.id);
                continue;
            }
            const auto pri = static_cast<std::size_t>(old - found->routes.begin());
            continued[pri] = true;
            if (old->fingerprint == r.fingerprint && prev.stream_seeds[psi][pri] == next.stream_seeds[si][ri])
                kept[ri] = pri;
            else
                report.changed.push_back(r.id);
        }
        for (std::size_t pri = 0; pri < found->routes.size(); ++pri)
            if (!continued[pri]) report.removed.push_back(found->routes[pri].id);

        if (!same_isolation(found->isolate_by, sc.isolate_by)) {
            report.sessions_dropped = true;
            continue;
        }
        auto& from = *prev.states[psi];
        auto& to = *next.states[si];
        to.global = carried_session(from.global, sc.routes.size(), kept);
        for (auto& old_session : from.sessions) {  // most recently used first: the order is kept
            to.sessions.push_back(carried_session(old_session, sc.routes.size(), kept));
            to.by_key.emplace(to.sessions.back().key, std::prev(to.sessions.end()));
        }
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
        // "" is the global session, as in find_session; a keyed one is forgotten.
        if (!session_key || session_key->empty())
            st.global = session{{}, std::vector<route_state>(impl_->scenarios[si].routes.size()), std::nullopt, {}};
        if (!session_key) {
            st.sessions.clear();
            st.by_key.clear();
        } else if (auto it = st.by_key.find(stored_session_key(*session_key)); it != st.by_key.end()) {
            st.sessions.erase(it->second);
            st.by_key.erase(it);
        }
    }
    return found;
}

bool player::set_state(const std::string& scenario, const std::string& session_key, std::optional<std::string> state) {
    for (std::size_t si = 0; si < impl_->scenarios.size(); ++si) {
        if (impl_->scenarios[si].name != scenario) continue;
        auto& st = *impl_->states[si];
        const auto now = clock::now();
        std::lock_guard lock{st.mutex};
        impl_->expire(st, now);
        impl_->find_session(st, impl_->scenarios[si].routes.size(), stored_session_key(session_key), true, now)->state =
            std::move(state);
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
        impl_->expire(st, now);
        auto& list = out.emplace_back();
        list.push_back(progress_of(impl_->scenarios[si], st.global, now));
        for (const auto& s : st.sessions) list.push_back(progress_of(impl_->scenarios[si], s, now));
    }
    return out;
}

bool player::has_early_responses() const noexcept { return impl_->has_early_responses; }

play_result player::play(const request& req, bool before_body) {
    play_result result;
    match_subject subject{req, impl_->limits.max_regex_work};
    std::vector<std::optional<std::string>> keys(impl_->scenarios.size());  // computed on first need

    // The nearest miss, for the 404: the highest nearness, then the first in matching order.
    // Its sentence is written once, for that route only: a miss costs no string.
    int best = -1;
    std::size_t best_pos = 0;
    std::optional<std::string> best_why;  ///< known for a tested candidate; else written at the end
    auto consider = [&](int nearness, std::size_t pos, std::optional<std::string> why) {
        if (nearness < best || (nearness == best && pos > best_pos)) return;
        best = nearness;
        best_pos = pos;
        best_why = std::move(why);
    };
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
        consider(passed, pos, std::move(why));
    }
    // No route answered: the routes the path index left out may hold the nearest miss.
    if (auto outside = impl_->nearest_outside(candidates, req.method))
        consider(outside->first, outside->second, std::nullopt);
    if (best >= 0) {
        const auto [si, ri] = impl_->order[best_pos];
        const auto& r = impl_->scenarios[si].routes[ri];
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

#include "scenario/player.hpp"

#include "handlers/status_handler.hpp"
#include "handlers/status_knobs.hpp"
#include "scenario/matcher.hpp"

#include <algorithm>
#include <list>
#include <mutex>
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

struct session {
    std::string key;
    std::vector<cursor> cursors;  ///< one per route of the scenario
    std::optional<std::string> state;
    clock::time_point last_used;
};

// The mutable side of one scenario: its sessions, behind one lock.
struct scenario_state {
    std::mutex mutex;
    session global;               ///< requests without the key; never expires
    std::list<session> sessions;  ///< keyed sessions, most recently used first
    std::unordered_map<std::string, std::list<session>::iterator> by_key;
};

// What the locked part decided for one route.
struct claim {
    enum class kind { answered, exhausted, wrong_state, passed } what = kind::answered;
    std::size_t step = 0;
    std::string why;  ///< wrong_state / passed: the reason for nearest_miss
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// RFC 6265 §4.2.1: Cookie: name=value; name2=value2 (a value may be quoted).
std::string_view cookie_value(const request& req, std::string_view name) {
    for (const auto& [field, value] : req.headers) {
        if (!iequals(field, "Cookie")) continue;
        std::string_view list = value;
        while (!list.empty()) {
            auto semi = list.find(';');
            auto pair = trim(list.substr(0, semi));
            auto eq = pair.find('=');
            if (eq != std::string_view::npos && trim(pair.substr(0, eq)) == name) {
                auto v = trim(pair.substr(eq + 1));
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
        case isolation::kind::header: return std::string{s.req().header(iso.name)};
        case isolation::kind::query: {
            const auto* v = s.query_value(iso.name);
            return v ? *v : std::string{};
        }
        case isolation::kind::cookie: return std::string{cookie_value(s.req(), iso.name)};
    }
    return {};
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

    impl(std::vector<scenario> sc, player_limits lim) : scenarios(std::move(sc)), limits(lim) {
        std::stable_sort(scenarios.begin(), scenarios.end(),
                         [](const scenario& a, const scenario& b) { return a.name < b.name; });
        for (std::size_t i = 0; i < scenarios.size(); ++i) {
            auto st = std::make_unique<scenario_state>();
            st->global.cursors.resize(scenarios[i].routes.size());
            states.push_back(std::move(st));
            for (std::size_t j = 0; j < scenarios[i].routes.size(); ++j) order.emplace_back(i, j);
        }
        std::stable_sort(order.begin(), order.end(), [this](const auto& a, const auto& b) {
            return scenarios[a.first].routes[a.second].priority > scenarios[b.first].routes[b.second].priority;
        });
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
        st.sessions.push_front(session{key, std::vector<cursor>(routes), std::nullopt, now});
        st.by_key.emplace(key, st.sessions.begin());
        return &st.sessions.front();
    }

    // Claims the next step of route `ri` of scenario `si` for session `key`, atomically:
    // the state check, the cursor and set_state all move under the scenario's lock.
    claim try_claim(std::size_t si, std::size_t ri, const std::string& key) {
        const auto& sc = scenarios[si];
        const auto& r = sc.routes[ri];
        auto& st = *states[si];
        auto now = clock::now();

        std::lock_guard lock{st.mutex};
        expire(st, now);
        session* s = find_session(st, sc.routes.size(), key, false, now);
        static const std::optional<std::string> unset;
        const auto& state = s ? s->state : unset;
        if (r.when_state && state != r.when_state)
            return {claim::kind::wrong_state, 0, "state is " + state_text(state) + ", not " + *r.when_state};

        cursor peek = s ? s->cursors[ri] : cursor{};
        skip_empty_steps(peek, r);
        if (peek.done && r.then == then_mode::pass)
            return {claim::kind::passed, 0, "its steps are used up (then: pass)"};
        if (peek.done && r.then == then_mode::fail) return {claim::kind::exhausted, r.steps.size() - 1, {}};

        if (!s) s = find_session(st, sc.routes.size(), key, true, now);
        auto& c = s->cursors[ri];
        c = peek;
        std::size_t index = c.index;
        const auto& step = r.steps[index];
        if (step.set_state) s->state = step.set_state;
        if (!c.done) {
            ++c.served;
            if (step.times && c.served >= *step.times) {
                advance(c, r);
                skip_empty_steps(c, r);
            }
        }
        return {claim::kind::answered, index, {}};
    }
};

namespace {

response_plan step_plan(const request& req, const step& st) {
    status_knobs knobs;
    knobs.reason = st.reason;
    knobs.headers = st.headers;
    knobs.body = st.body;
    knobs.content_type = st.content_type;
    knobs.delay = st.delay;
    auto plan = plan_for_code(req, st.status, knobs);
    // §15.2: never a 1xx to an HTTP/1.0 client.
    if (plan.action == response_plan::kind::respond && req.version >= 11 && !st.interim.empty()) {
        std::vector<message_head> heads;
        for (int code : st.interim) heads.push_back(interim_response_head(code));
        plan.interim.insert(plan.interim.begin(), heads.begin(), heads.end());
    }
    return plan;
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
    : impl_(std::make_unique<impl>(std::move(scenarios), limits)) {}

player::~player() = default;

const std::vector<scenario>& player::scenarios() const noexcept { return impl_->scenarios; }

play_result player::play(const request& req) {
    play_result result;
    match_subject subject{req};
    std::vector<std::optional<std::string>> keys(impl_->scenarios.size());  // computed on first need

    int best = -1;
    for (auto [si, ri] : impl_->order) {
        const auto& sc = impl_->scenarios[si];
        const auto& r = sc.routes[ri];
        // Matching is pure and runs outside any lock; only the claim is serialized.
        auto m = match(r.match, subject);
        std::string why = std::move(m.reason);
        int passed = m.passed;
        if (m.matched) {
            if (!keys[si]) keys[si] = session_key(sc.isolate_by, subject);
            auto c = impl_->try_claim(si, ri, *keys[si]);
            if (c.what == claim::kind::answered || c.what == claim::kind::exhausted) {
                result.plan =
                    c.what == claim::kind::answered ? step_plan(req, r.steps[c.step]) : exhausted_plan(req, sc, r);
                result.scenario = sc.name;
                result.route = r.id;
                result.step = c.step;
                result.exhausted = c.what == claim::kind::exhausted;
                result.nearest_miss.clear();
                return result;
            }
            why = std::move(c.why);
            passed = c.what == claim::kind::wrong_state ? 5 : 6;
        }
        if (passed > best) {
            best = passed;
            result.nearest_miss = "route ";
            result.nearest_miss.append(r.id).append(" of ").append(sc.name).append(": ").append(why);
        }
    }
    return result;
}

}  // namespace teapot::detail::scenario

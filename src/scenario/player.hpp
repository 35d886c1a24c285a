#pragma once
// The shared mutable state of scenarios: per-session step cursors, named
// states, random streams and quotas. One instance per server, used from every I/O thread: a step is
// claimed under a lock before it is served, so N concurrent requests consume
// exactly N step slots.

#include "plan/request.hpp"
#include "plan/response_plan.hpp"
#include "scenario/model.hpp"
#include "scenario/quota.hpp"
#include "scenario/regex.hpp"
#include "scenario/reload_changes.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace teapot::detail::scenario {

/// What the player decided for one request.
struct play_result {
    /// The answer of the route that matched; nullopt when no route answers
    /// (none matched, or the matching ones passed), so the built-in endpoints do.
    std::optional<response_plan> plan;
    std::string scenario;        ///< which scenario answered (when plan is set)
    std::string route;           ///< which route answered
    std::size_t step = 0;        ///< which step (0-based) answered
    std::size_t step_count = 0;  ///< how many steps the route has
    /// The route's steps were used up and its `then: fail` answered (step is the last one).
    bool exhausted = false;
    /// The step answering has `one_of`: the index of the alternative drawn.
    std::optional<std::size_t> alternative;
    /// The route's `limit` was spent: its `reject` answered, and no step was consumed.
    bool limited = false;
    /// The route has a `limit`: whole seconds until its current window ends (rounded
    /// up, at least 1). For a rejected request, when to retry ({{limit.retry_after_s}}).
    std::optional<std::uint64_t> retry_after_s;
    /// When nothing matched: the route that came closest and why it did not match,
    /// e.g. "route list-orders of flaky-orders: method POST is not GET".
    std::string nearest_miss;
    /// A reload replaced this player while the request was being matched: nothing
    /// was claimed, and the request must be played again on the current player.
    bool retired = false;
    /// Played before the body: a route would answer only once the body is read
    /// (it tests the body, or its next step is not an early response).
    bool needs_body = false;
    /// The session key of the scenario that answered, or, when none did, every
    /// distinct key the request carries for a loaded scenario's isolate_by.
    std::vector<std::string> sessions;
};

/// Where one route of one session stands, for the admin API's listing.
struct route_progress {
    std::string route;
    std::size_t step = 1;      ///< the step answering next (1-based)
    std::uint64_t served = 0;  ///< requests that step has answered so far
    bool done = false;         ///< every step used up (then decides what follows)
    /// With a `limit`: one entry per key counted (one for key: session), its use in the open window.
    struct window {
        std::string key;
        std::uint64_t used = 0;
        std::chrono::milliseconds resets_in{0};
    };
    std::vector<window> quota;
};

/// One session of a scenario: its key ("" for the global one), named state and routes.
struct session_progress {
    std::string key;
    std::optional<std::string> state;
    std::vector<route_progress> routes;  ///< in the scenario's declaration order
};

struct player_limits {
    std::chrono::milliseconds session_ttl{10 * 60 * 1000};  ///< idle sessions are forgotten
    std::size_t max_sessions = 10'000;                      ///< per scenario; the least recently used goes
    /// What every window of every route's `limit` may take together (--max-quota-bytes),
    /// shared with the players that follow this one; null: the player makes its own.
    std::shared_ptr<quota_budget> quota;
    /// The most work one regex match may take, program size × subject bytes: beyond, the
    /// match is not run and the request is a 500 (scenario/matcher.cpp).
    std::uint64_t max_regex_work = default_max_regex_work;
    /// The server's --seed: drives the random draws of scenarios without their own
    /// `seed`. Without either, one seed is drawn from std::random_device per player.
    std::optional<std::uint64_t> seed;
};

class player {
public:
    explicit player(std::vector<scenario> scenarios, player_limits limits = {});
    ~player();

    /// Matches `req` against every route (priority first, then scenario name, then
    /// declaration order), claims the next step of the first that answers, and
    /// returns its plan. Thread-safe.
    /// With `before_body` (the request's body is not read yet), only a step with
    /// the early-response fault is claimed; otherwise nothing changes and the
    /// result says needs_body when a route would answer once the body is read.
    play_result play(const request& req, bool before_body = false);

    /// Forgets cursors, named states, quotas and random streams: of every scenario, or of
    /// `scenario` only; of every session, or of the keyed session `session` only. False
    /// when `scenario` is not loaded.
    bool reset(const std::optional<std::string>& scenario, const std::optional<std::string>& session);

    /// Sets the named state of one session of `scenario` ("" the global session;
    /// a keyed session is created when it does not exist), or clears it with nullopt.
    /// False when `scenario` is not loaded.
    bool set_state(const std::string& scenario, const std::string& session_key, std::optional<std::string> state);

    /// Every live session of every scenario (parallel to scenarios()), the global one first,
    /// then the keyed ones, most recently used first. Expired sessions are forgotten first.
    std::vector<std::vector<session_progress>> progress() const;

    /// Whether any step answers with early-response (else playing before the body is moot).
    bool has_early_responses() const noexcept;

    const std::vector<scenario>& scenarios() const noexcept;

    /// The seed of the scenarios without their own: the server's --seed, or the one
    /// drawn at construction. A reload passes it on, so unchanged routes keep their streams.
    std::uint64_t default_seed() const noexcept;

    /// Hot reload: takes over `previous`'s sessions. Named states carry over while a
    /// scenario keeps its name and isolate_by; cursors, quotas and random streams carry
    /// over for each route whose id, fingerprint and stream seed are unchanged. Every
    /// scenario of `previous` is locked meanwhile and then retired (its late requests
    /// answer `retired`); `publish` runs before the locks are released, so the swap to
    /// this player happens before any of them is played again. Thread-safe against
    /// play() on either player; one take_over at a time.
    reload_changes take_over(player& previous, const std::function<void()>& publish);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace teapot::detail::scenario

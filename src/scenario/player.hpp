#pragma once
// The shared mutable state of scenarios: per-session step cursors and named
// states. One instance per server, used from every I/O thread: a step is
// claimed under a lock before it is served, so N concurrent requests consume
// exactly N step slots.

#include "http/request.hpp"
#include "http/response_plan.hpp"
#include "scenario/model.hpp"

#include <chrono>
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
    std::string scenario;  ///< which scenario answered (when plan is set)
    std::string route;     ///< which route answered
    std::size_t step = 0;  ///< which step (0-based) answered
    /// The route's steps were used up and its `then: fail` answered (step is the last one).
    bool exhausted = false;
    /// When nothing matched: the route that came closest and why it did not match,
    /// e.g. "route list-orders of flaky-orders: method POST is not GET".
    std::string nearest_miss;
};

struct player_limits {
    std::chrono::milliseconds session_ttl{10 * 60 * 1000};  ///< idle sessions are forgotten
    std::size_t max_sessions = 10'000;                      ///< per scenario; the least recently used goes
};

class player {
public:
    explicit player(std::vector<scenario> scenarios, player_limits limits = {});
    ~player();

    /// Matches `req` against every route (priority first, then scenario name, then
    /// declaration order), claims the next step of the first that answers, and
    /// returns its plan. Thread-safe.
    play_result play(const request& req);

    const std::vector<scenario>& scenarios() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace teapot::detail::scenario

#pragma once
// The sessions of one scenario: where each route of each session stands in its
// steps, its named state, its random streams and quotas. The global session
// (requests without the isolate_by key) never expires; keyed sessions are kept
// most recently used first, forgotten after --session-ttl idle, and the least
// recently used goes when --max-sessions is reached. Not locked: the player
// holds its scenario's lock around every call.

#include "scenario/model.hpp"
#include "scenario/quota.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace teapot::detail::scenario {

/// Where one route of one session stands in its steps.
struct cursor {
    std::size_t index = 0;     ///< the step answering next
    std::uint64_t served = 0;  ///< requests that step has answered so far
    bool done = false;         ///< every step used up (repeat-last, pass, fail)
};

/// Moves `c` past the step it stands on (to the first again with then: loop).
void advance(cursor& c, const route& r);
/// A step of `times: 0` answers nothing: steps over it (a full lap at most, for loop).
void skip_empty_steps(cursor& c, const route& r);

/// One route of one session: its cursor, and what only some routes need,
/// allocated on first use (an engine is 2.5 KB; most routes never draw).
struct route_state {
    cursor at;
    std::unique_ptr<std::mt19937_64> random;
    std::unique_ptr<quota> limit;
};

struct session {
    std::string key;
    std::vector<route_state> routes;  ///< one per route of the scenario
    std::optional<std::string> state;
    std::chrono::steady_clock::time_point last_used;
};

class session_store {
public:
    using clock = std::chrono::steady_clock;

    explicit session_store(std::size_t routes);

    /// The session of the requests without a key.
    session& global() noexcept { return global_; }
    /// The keyed sessions, most recently used first.
    std::list<session>& keyed() noexcept { return sessions_; }
    const std::list<session>& keyed() const noexcept { return sessions_; }

    /// Forgets the keyed sessions idle for longer than `ttl`.
    void expire(clock::time_point now, std::chrono::milliseconds ttl);
    /// The session for `key` ("" the global one), touched; nullptr when there is none and
    /// `create` is false. A new one evicts the least recently used at `max_sessions`.
    session* find(const std::string& key, bool create, clock::time_point now, std::size_t max_sessions);
    /// Starts the global session over and forgets every keyed one.
    void clear();
    /// Starts session `key` over: the global one for "", else forgets it.
    void forget(const std::string& key);
    /// Appends a session carried over from a previous player, keeping the order it had.
    void carry(session s);

private:
    std::size_t routes_;
    session global_;
    std::list<session> sessions_;
    std::unordered_map<std::string, std::list<session>::iterator> by_key_;
};

}  // namespace teapot::detail::scenario

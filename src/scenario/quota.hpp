#pragma once
// The windows of routes' `limit`s, and the one byte budget they share. A window is
// kept per key per session per route, and the keys are the clients' (a header's
// value): every window is charged to the budget while it exists, and one that does
// not fit is refused rather than grown into (docs/reliability.md).

#include "scenario/model.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace teapot::detail::scenario {

/// --max-quota-bytes' default.
inline constexpr std::size_t default_max_quota_bytes = 16 * 1024 * 1024;

/// What one window is charged besides its key: the list node, the index entry and its
/// bucket, and the allocator's headers (measured in docs/reliability.md).
inline constexpr std::size_t quota_window_overhead = 160;

/// A key longer than this is kept as a readable prefix and a digest of the whole.
inline constexpr std::size_t max_stored_quota_key = 64;

/// The key as a window keeps it: as it is up to max_stored_quota_key bytes, else its
/// first bytes, "...", and 32 hex digits of its SHA-1 (two keys sharing both would share a window).
std::string stored_quota_key(std::string_view key);

/// The bytes every window of every player charges, against one maximum. Shared by the
/// players of one server, so a reload that carries windows over carries their charge. Thread-safe.
class quota_budget {
public:
    using clock = std::chrono::steady_clock;

    explicit quota_budget(std::size_t max_bytes = default_max_quota_bytes) : max_(max_bytes) {}

    /// Charges `bytes` when they fit under the maximum; false (and nothing charged) when not.
    bool try_take(std::size_t bytes) noexcept;
    void give_back(std::size_t bytes) noexcept;
    std::size_t used() const noexcept { return used_.load(std::memory_order_relaxed); }
    std::size_t max() const noexcept { return max_; }

    /// A window opened and ends at `end`: the earliest end is when a sweep can reclaim something.
    void note_end(clock::time_point end) noexcept;
    /// The earliest end noted since the last sweep (time_point::max() when none).
    clock::time_point earliest_end() const noexcept;
    /// Whole seconds until that end (at least 1): when a refused new key may fit, for Retry-After.
    std::uint64_t seconds_to_room(clock::time_point now) const noexcept;
    /// Whether a sweep of ended windows may reclaim bytes now: some window has ended since
    /// the last sweep, and none ran in the last 100 ms (a client sending new keys to a full
    /// budget must not make every request walk every window). True for one caller at a time,
    /// which then calls swept().
    bool begin_sweep(clock::time_point now) noexcept;
    /// The sweep is over: `next_end` is the earliest end of the windows it left.
    void swept(clock::time_point next_end) noexcept;

private:
    using rep = clock::rep;
    const std::size_t max_;
    std::atomic<std::size_t> used_{0};
    std::atomic<rep> earliest_end_{std::numeric_limits<rep>::max()};
    std::atomic<rep> last_sweep_{std::numeric_limits<rep>::min()};
    std::atomic<bool> sweeping_{false};
};

/// The windows of one route's limit in one session, most recently used first. Each is
/// charged to the budget from its opening until it is dropped (or this is destroyed).
/// Not thread-safe: its session's lock guards it.
class quota {
public:
    using clock = quota_budget::clock;

    struct window {
        std::string key;  ///< stored_quota_key of the limit's key value ("" for key: session)
        clock::time_point opened;
        std::uint64_t counted = 0;  ///< 0: no window open
        std::size_t charge = 0;     ///< what it holds of the budget
    };

    enum class verdict {
        counted,  ///< within the window: the request may be served
        spent,    ///< the window is spent: the limit's reject answers
        no_room,  ///< a new window does not fit in the budget: nothing was counted
    };

    explicit quota(std::shared_ptr<quota_budget> budget) : budget_(std::move(budget)) {}
    ~quota();
    quota(const quota&) = delete;
    quota& operator=(const quota&) = delete;

    /// Counts one request against `limit` in window `key`. `retry_after_s` gets the whole
    /// seconds left in that window (at least 1), unless the verdict is no_room.
    verdict take(const route_limit& limit, std::string_view key, clock::time_point now, std::uint64_t& retry_after_s);

    /// Drops the windows of a limit of `per` that ended by `now` (a window that ended
    /// counts as none: dropping it changes no answer). Returns the earliest end of those
    /// left, time_point::max() when none.
    clock::time_point drop_ended(std::chrono::milliseconds per, clock::time_point now);

    const std::list<window>& windows() const noexcept { return windows_; }

private:
    void drop(std::list<window>::iterator it);

    std::shared_ptr<quota_budget> budget_;
    std::list<window> windows_;
    // Views of the keys in windows_ (list nodes never move): each key is held once.
    std::unordered_map<std::string_view, std::list<window>::iterator> by_key_;
};

}  // namespace teapot::detail::scenario

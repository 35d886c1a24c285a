#include "scenario/quota.hpp"

#include "util/compact_key.hpp"

#include <algorithm>
#include <array>

namespace teapot::detail::scenario {
namespace {

using clock = quota_budget::clock;

// Whole seconds from now until `end`, rounded up, at least 1 (RFC 9110 §10.2.3
// Retry-After is in whole seconds; 0 would invite an immediate, futile retry).
std::uint64_t seconds_until(clock::time_point end, clock::time_point now) {
    if (end <= now) return 1;
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(end - now);
    auto whole = (left + std::chrono::seconds{1} - std::chrono::nanoseconds{1}) / std::chrono::seconds{1};
    return std::max<std::uint64_t>(static_cast<std::uint64_t>(whole), 1);
}

// Lowers `target` to `value` unless it is lower already.
void lower_to(std::atomic<clock::rep>& target, clock::rep value) noexcept {
    auto seen = target.load(std::memory_order_relaxed);
    while (value < seen && !target.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
    }
}

}  // namespace

std::string stored_quota_key(std::string_view key) {
    // A 24-byte prefix a reader recognises in the admin listing.
    return compact_key(key, max_stored_quota_key, 24);
}

bool quota_budget::try_take(std::size_t bytes) noexcept {
    auto used = used_.load(std::memory_order_relaxed);
    do {
        if (bytes > max_ || used > max_ - bytes) return false;
    } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
    return true;
}

void quota_budget::give_back(std::size_t bytes) noexcept { used_.fetch_sub(bytes, std::memory_order_relaxed); }

void quota_budget::note_end(clock::time_point end) noexcept { lower_to(earliest_end_, end.time_since_epoch().count()); }

clock::time_point quota_budget::earliest_end() const noexcept {
    return clock::time_point{clock::duration{earliest_end_.load(std::memory_order_relaxed)}};
}

std::uint64_t quota_budget::seconds_to_room(clock::time_point now) const noexcept {
    const auto end = earliest_end();
    return end == clock::time_point::max() ? 1 : seconds_until(end, now);
}

bool quota_budget::begin_sweep(clock::time_point now) noexcept {
    constexpr auto min_interval = std::chrono::duration_cast<clock::duration>(std::chrono::milliseconds{100});
    const auto at = now.time_since_epoch().count();
    if (at < earliest_end_.load(std::memory_order_relaxed)) return false;
    const auto last = last_sweep_.load(std::memory_order_relaxed);
    if (last != std::numeric_limits<rep>::min() && at - last < min_interval.count()) return false;
    if (sweeping_.exchange(true, std::memory_order_acquire)) return false;
    last_sweep_.store(at, std::memory_order_relaxed);
    // Ends noted from here on (windows opened during the sweep) are kept; the sweep adds its own.
    earliest_end_.store(std::numeric_limits<rep>::max(), std::memory_order_relaxed);
    return true;
}

void quota_budget::swept(clock::time_point next_end) noexcept {
    lower_to(earliest_end_, next_end.time_since_epoch().count());
    sweeping_.store(false, std::memory_order_release);
}

quota::~quota() {
    for (const auto& w : windows_) budget_->give_back(w.charge);
}

void quota::drop(std::list<window>::iterator it) {
    budget_->give_back(it->charge);
    by_key_.erase(it->key);
    windows_.erase(it);
}

quota::verdict quota::take(const route_limit& limit, std::string_view key, clock::time_point now,
                           std::uint64_t& retry_after_s) {
    const std::string stored = stored_quota_key(key);
    window* w = nullptr;
    if (auto it = by_key_.find(stored); it != by_key_.end()) {
        windows_.splice(windows_.begin(), windows_, it->second);
        w = &*it->second;
    } else {
        const std::size_t charge = quota_window_overhead + stored.size();
        if (!budget_->try_take(charge)) return verdict::no_room;
        windows_.push_front(window{stored, now, 0, charge});
        by_key_.emplace(windows_.front().key, windows_.begin());
        w = &windows_.front();
    }
    // A fixed window: it opens with the first request counted and lasts `per`.
    if (w->counted == 0 || now >= w->opened + limit.per) {
        w->opened = now;
        w->counted = 0;
        budget_->note_end(now + limit.per);
    }
    retry_after_s = seconds_until(w->opened + limit.per, now);
    if (w->counted >= limit.requests) return verdict::spent;
    ++w->counted;
    return verdict::counted;
}

clock::time_point quota::drop_ended(std::chrono::milliseconds per, clock::time_point now) {
    auto next = clock::time_point::max();
    for (auto it = windows_.begin(); it != windows_.end();) {
        const auto end = it->opened + per;
        if (it->counted == 0 || now >= end) {
            drop(it++);
        } else {
            next = std::min(next, end);
            ++it;
        }
    }
    return next;
}

}  // namespace teapot::detail::scenario

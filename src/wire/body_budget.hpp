#pragma once
// What the request bodies held at once may take, all connections together
// (--max-body-memory): --max-body-size bounds one body, and --max-connections of
// them at 1 MiB would be 10 GiB.

#include <atomic>
#include <cstddef>

namespace teapot::detail {

/// A byte budget that request bodies take from as they are read and give back when
/// their request is done. Thread-safe; never blocks.
class body_budget {
public:
    explicit body_budget(std::size_t capacity) : capacity_{capacity} {}
    /// Takes `bytes` when they fit beside what is taken; false (nothing taken) when not.
    bool try_take(std::size_t bytes) noexcept {
        auto used = used_.load(std::memory_order_relaxed);
        do {
            if (bytes > capacity_ - used) return false;
        } while (!used_.compare_exchange_weak(used, used + bytes, std::memory_order_relaxed));
        return true;
    }
    void give(std::size_t bytes) noexcept { used_.fetch_sub(bytes, std::memory_order_relaxed); }
    std::size_t used() const noexcept { return used_.load(std::memory_order_relaxed); }
    std::size_t capacity() const noexcept { return capacity_; }

private:
    const std::size_t capacity_;
    std::atomic<std::size_t> used_{0};
};

/// What one request's body has taken from the budget; given back when it goes.
class body_charge {
public:
    explicit body_charge(body_budget* budget) : budget_{budget} {}
    body_charge(const body_charge&) = delete;
    body_charge& operator=(const body_charge&) = delete;
    ~body_charge() {
        if (budget_) budget_->give(taken_);
    }
    /// Makes the charge at least `bytes`; false when the budget has no room for the rest.
    bool cover(std::size_t bytes) noexcept {
        if (!budget_ || bytes <= taken_) return true;
        if (!budget_->try_take(bytes - taken_)) {
            refused_ = true;
            return false;
        }
        taken_ = bytes;
        return true;
    }
    /// A cover() found no room.
    bool refused() const noexcept { return refused_; }

private:
    body_budget* budget_;
    std::size_t taken_ = 0;
    bool refused_ = false;
};

}  // namespace teapot::detail

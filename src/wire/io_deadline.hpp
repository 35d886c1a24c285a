#pragma once
// Deadlines on a connection's reads and writes, checked by one timer per
// thread (deadline_sweeper) rather than by a timer armed and cancelled around
// every operation, as beast::tcp_stream does: that costs a timer-queue update
// and a timerfd_settime system call per operation, about a tenth of a small
// response's work (docs/performance.md). The price is precision: a deadline is
// noticed up to one sweep late (a quarter of the shortest timeout, at most 1 s).

#include "wire/net.hpp"

#include <boost/asio/execution_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

namespace teapot::detail {

class deadline_sweeper;

class io_deadline {
public:
    using clock = std::chrono::steady_clock;

    /// `on_expiry` cancels the connection's pending operations; called on the
    /// connection's thread, by the sweeper, once a deadline has passed.
    explicit io_deadline(std::function<void()> on_expiry) : on_expiry_(std::move(on_expiry)) {}
    ~io_deadline();
    io_deadline(const io_deadline&) = delete;
    io_deadline& operator=(const io_deadline&) = delete;

    /// Joins the sweeper of `context`, which then checks it every `granularity`
    /// or less. Call on the connection's thread, once, before arming.
    void watch(net::execution_context& context, std::chrono::milliseconds granularity);
    /// Leaves the sweeper; call on the connection's thread. The destructor does it
    /// too, but a connection's owner may be destroyed on another thread.
    void unwatch() noexcept;

    /// A deadline for the operations started while it lives; none once it is gone
    /// (so a delay or a hang between operations is never cut by a stale one).
    class armed {
    public:
        explicit armed(io_deadline& d) noexcept : deadline_(&d) {}
        armed(const armed&) = delete;
        armed& operator=(const armed&) = delete;
        ~armed() { deadline_->at_ = clock::time_point::max(); }

    private:
        io_deadline* deadline_;
    };
    [[nodiscard]] armed arm(std::chrono::milliseconds timeout) { return arm_until(clock::now() + timeout); }
    [[nodiscard]] armed arm_until(clock::time_point at) {
        at_ = at;
        return armed{*this};
    }

    /// A deadline held until replaced or cleared, not scoped: an HTTP/2 connection's reads,
    /// whose deadline changes as its streams come and go while one read waits.
    void hold_until(clock::time_point at) noexcept { at_ = at; }
    void clear() noexcept { at_ = clock::time_point::max(); }

    /// An operation's error as the caller should see it: a cancellation caused by
    /// this deadline reads as beast::error::timeout.
    beast::error_code explain(beast::error_code ec) const {
        return ec == net::error::operation_aborted && expired_ ? beast::error::timeout : ec;
    }
    bool expired() const noexcept { return expired_; }

private:
    friend class deadline_sweeper;
    clock::time_point at_ = clock::time_point::max();
    bool expired_ = false;
    std::function<void()> on_expiry_;
    deadline_sweeper* sweeper_ = nullptr;
    std::size_t index_ = 0;  ///< where the sweeper lists it
};

/// One per io_context (an Asio service): the deadlines of its connections, and
/// a timer that checks them while there are any. Used from its context's thread only.
class deadline_sweeper : public net::execution_context::service {
public:
    using key_type = deadline_sweeper;
    static inline net::execution_context::id id;

    explicit deadline_sweeper(net::execution_context& context);

    void add(io_deadline& d, std::chrono::milliseconds granularity);
    void remove(io_deadline& d) noexcept;

private:
    void shutdown() override;
    net::awaitable<void> sweep();

    net::io_context& io_;
    std::vector<io_deadline*> watched_;
    std::chrono::milliseconds tick_{1000};
    std::unique_ptr<net::steady_timer> timer_;
    bool sweeping_ = false;
    bool shut_down_ = false;
};

}  // namespace teapot::detail

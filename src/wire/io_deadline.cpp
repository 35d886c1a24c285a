#include "wire/io_deadline.hpp"

#include <algorithm>

namespace teapot::detail {

io_deadline::~io_deadline() { unwatch(); }

void io_deadline::unwatch() noexcept {
    if (sweeper_) sweeper_->remove(*this);
}

void io_deadline::watch(net::execution_context& context, std::chrono::milliseconds granularity) {
    net::use_service<deadline_sweeper>(context).add(*this, granularity);
}

// teapot runs every connection on an io_context (io_pool): that is the context here.
deadline_sweeper::deadline_sweeper(net::execution_context& context)
    : net::execution_context::service(context), io_(static_cast<net::io_context&>(context)) {}

void deadline_sweeper::add(io_deadline& d, std::chrono::milliseconds granularity) {
    if (shut_down_) return;
    d.sweeper_ = this;
    d.index_ = watched_.size();
    watched_.push_back(&d);
    tick_ = std::clamp(std::min(tick_, granularity), std::chrono::milliseconds{5}, std::chrono::milliseconds{1000});
    if (!timer_) timer_ = std::make_unique<net::steady_timer>(io_);
    if (!sweeping_) {
        // Ticks only while there are deadlines to watch: an idle server stays asleep.
        sweeping_ = true;
        net::co_spawn(io_, sweep(), net::detached);
    }
}

void deadline_sweeper::remove(io_deadline& d) noexcept {
    // Swap with the last: O(1), the order does not matter.
    auto last = watched_.back();
    watched_[d.index_] = last;
    last->index_ = d.index_;
    watched_.pop_back();
    d.sweeper_ = nullptr;
}

void deadline_sweeper::shutdown() {
    shut_down_ = true;
    // The timer goes here, not in the destructor: its service may have been registered
    // after this one (the sweeper makes the context's first timer), and Asio destroys
    // services in reverse order, so by our destructor it would be gone. Every service
    // still exists during shutdown. (ASan found it once connections stopped being
    // beast::tcp_streams, whose timers used to register the service first.)
    timer_.reset();
}

net::awaitable<void> deadline_sweeper::sweep() {
    while (!watched_.empty() && !shut_down_) {
        timer_->expires_after(tick_);
        auto [ec] = co_await timer_->async_wait(use_tuple_awaitable);
        if (ec || shut_down_) break;
        const auto now = io_deadline::clock::now();
        // on_expiry may end a connection, which removes its deadline: iterate by index, from the end.
        for (std::size_t i = watched_.size(); i-- > 0;) {
            if (i >= watched_.size()) continue;
            auto* d = watched_[i];
            if (d->at_ > now || d->expired_) continue;
            d->expired_ = true;
            d->on_expiry_();
        }
    }
    sweeping_ = false;
}

}  // namespace teapot::detail

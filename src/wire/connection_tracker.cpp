#include "wire/connection_tracker.hpp"

#include "wire/connection.hpp"

#include <vector>

namespace teapot::detail {

bool connection_tracker::add(std::uint64_t id, std::weak_ptr<connection> c) {
    std::lock_guard lock{mutex_};
    connections_.emplace(id, std::move(c));
    count_.store(connections_.size(), std::memory_order_relaxed);
    return !draining_;
}

void connection_tracker::remove(std::uint64_t id) {
    std::lock_guard lock{mutex_};
    connections_.erase(id);
    count_.store(connections_.size(), std::memory_order_relaxed);
    if (connections_.empty()) emptied_.notify_all();
}

void connection_tracker::drain_all() {
    // Collected first and called outside the lock: dropping the last reference
    // destroys a connection, whose destructor calls remove().
    std::vector<std::shared_ptr<connection>> live;
    {
        std::lock_guard lock{mutex_};
        draining_ = true;
        for (auto& [id, weak] : connections_)
            if (auto c = weak.lock()) live.push_back(std::move(c));
    }
    for (auto& c : live) c->drain();
}

bool connection_tracker::wait_until_empty(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock{mutex_};
    return emptied_.wait_until(lock, deadline, [this] { return connections_.empty(); });
}

}  // namespace teapot::detail

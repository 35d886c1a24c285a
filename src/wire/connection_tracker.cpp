#include "wire/connection_tracker.hpp"

#include "wire/connection.hpp"

#include <vector>

namespace teapot::detail {

void connection_tracker::add(std::uint64_t id, std::weak_ptr<connection> s) {
    std::lock_guard lock{mutex_};
    connections_.emplace(id, std::move(s));
    count_.store(connections_.size(), std::memory_order_relaxed);
}

void connection_tracker::remove(std::uint64_t id) {
    std::lock_guard lock{mutex_};
    connections_.erase(id);
    count_.store(connections_.size(), std::memory_order_relaxed);
}

void connection_tracker::for_each(const std::function<void(connection&)>& f) {
    // Collected first and called outside the lock: dropping the last reference
    // destroys a connection, whose destructor calls remove().
    std::vector<std::shared_ptr<connection>> live;
    {
        std::lock_guard lock{mutex_};
        for (auto& [id, weak] : connections_)
            if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    for (auto& s : live) f(*s);
}

}  // namespace teapot::detail

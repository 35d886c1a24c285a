#include "wire/connection_tracker.hpp"

#include "wire/session.hpp"

#include <vector>

namespace teapot::detail {

void connection_tracker::add(std::uint64_t id, std::weak_ptr<session> s) {
    std::lock_guard lock{mutex_};
    sessions_.emplace(id, std::move(s));
    count_.store(sessions_.size(), std::memory_order_relaxed);
}

void connection_tracker::remove(std::uint64_t id) {
    std::lock_guard lock{mutex_};
    sessions_.erase(id);
    count_.store(sessions_.size(), std::memory_order_relaxed);
}

void connection_tracker::for_each(const std::function<void(session&)>& f) {
    // Collected first and called outside the lock: dropping the last reference
    // destroys a session, whose destructor calls remove().
    std::vector<std::shared_ptr<session>> live;
    {
        std::lock_guard lock{mutex_};
        for (auto& [id, weak] : sessions_)
            if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    for (auto& s : live) f(*s);
}

}  // namespace teapot::detail

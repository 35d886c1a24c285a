#include "scenario/session_store.hpp"

#include <algorithm>
#include <iterator>

namespace teapot::detail::scenario {

void advance(cursor& c, const route& r) {
    c.served = 0;
    if (++c.index < r.steps.size()) return;
    if (r.then == then_mode::loop) {
        c.index = 0;
    } else {
        c.index = r.steps.size() - 1;
        c.done = true;
    }
}

void skip_empty_steps(cursor& c, const route& r) {
    for (std::size_t laps = 0; !c.done && laps <= r.steps.size(); ++laps) {
        const auto& times = r.steps[c.index].times;
        if (!times || *times > 0) return;
        advance(c, r);
    }
    c.done = true;
}

session_store::session_store(std::size_t routes)
    : routes_(routes), global_{{}, std::vector<route_state>(routes), std::nullopt, {}} {}

void session_store::expire(clock::time_point now, std::chrono::milliseconds ttl) {
    // The least recently used sit at the back.
    while (!sessions_.empty() && now - sessions_.back().last_used > ttl) {
        by_key_.erase(sessions_.back().key);
        sessions_.pop_back();
    }
}

session* session_store::find(const std::string& key, bool create, clock::time_point now, std::size_t max_sessions) {
    if (key.empty()) return &global_;
    if (auto it = by_key_.find(key); it != by_key_.end()) {
        sessions_.splice(sessions_.begin(), sessions_, it->second);
        it->second->last_used = now;
        return &*it->second;
    }
    if (!create) return nullptr;
    while (!sessions_.empty() && sessions_.size() >= std::max<std::size_t>(max_sessions, 1)) {
        by_key_.erase(sessions_.back().key);
        sessions_.pop_back();
    }
    sessions_.push_front(session{key, std::vector<route_state>(routes_), std::nullopt, now});
    by_key_.emplace(key, sessions_.begin());
    return &sessions_.front();
}

void session_store::clear() {
    global_ = session{{}, std::vector<route_state>(routes_), std::nullopt, {}};
    sessions_.clear();
    by_key_.clear();
}

void session_store::forget(const std::string& key) {
    if (key.empty()) {
        global_ = session{{}, std::vector<route_state>(routes_), std::nullopt, {}};
        return;
    }
    if (auto it = by_key_.find(key); it != by_key_.end()) {
        sessions_.erase(it->second);
        by_key_.erase(it);
    }
}

void session_store::carry(session s) {
    if (s.key.empty()) {
        global_ = std::move(s);
        return;
    }
    sessions_.push_back(std::move(s));
    by_key_.emplace(sessions_.back().key, std::prev(sessions_.end()));
}

}  // namespace teapot::detail::scenario

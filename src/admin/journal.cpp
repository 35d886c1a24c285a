#include "admin/journal.hpp"

#include <algorithm>

namespace teapot::detail {
namespace {

bool matches(const journal_entry& e, const journal_filter& f) {
    if (f.since && e.id <= *f.since) return false;
    if (f.scenario && e.scenario != *f.scenario) return false;
    if (f.route && e.route != *f.route) return false;
    if (f.path && e.path != *f.path) return false;
    // An empty session names the global one: requests filed under no key.
    if (f.session && f.session->empty() && !e.sessions.empty()) return false;
    if (f.session && !f.session->empty() &&
        std::find(e.sessions.begin(), e.sessions.end(), *f.session) == e.sessions.end())
        return false;
    return true;
}

}  // namespace

std::uint64_t journal::record(journal_entry entry) {
    if (entry.body.size() > max_body_bytes) {
        entry.body.resize(max_body_bytes);
        entry.body_truncated = true;
    }
    std::lock_guard lock{mutex_};
    const auto id = next_id_++;
    if (capacity_ == 0) {
        ++dropped_;
        return id;
    }
    entry.id = id;
    if (entries_.size() >= capacity_) {
        entries_.pop_front();
        ++dropped_;
    }
    entries_.push_back(std::move(entry));
    return id;
}

void journal::complete(std::uint64_t id, int status, std::optional<journal_entry::time_point> first_byte,
                       journal_entry::time_point done) {
    std::lock_guard lock{mutex_};
    // Ids increase along the ring (erase may leave gaps): a binary search finds the entry.
    auto it = std::lower_bound(entries_.begin(), entries_.end(), id,
                               [](const journal_entry& e, std::uint64_t wanted) { return e.id < wanted; });
    if (it == entries_.end() || it->id != id) return;
    auto& e = *it;
    e.status = status;
    e.first_byte = first_byte;
    e.done = done;
    for (const auto& [listener_id, listener] : listeners_) listener();
}

std::size_t journal::count_served(const journal_filter& filter) const {
    std::lock_guard lock{mutex_};
    return static_cast<std::size_t>(std::count_if(
        entries_.begin(), entries_.end(), [&](const journal_entry& e) { return e.done && matches(e, filter); }));
}

journal::subscription journal::subscribe(std::function<void()> listener) {
    std::lock_guard lock{mutex_};
    const auto id = next_listener_++;
    listeners_.emplace_back(id, std::move(listener));
    return subscription{*this, id};
}

void journal::unsubscribe(std::uint64_t id) {
    std::lock_guard lock{mutex_};
    std::erase_if(listeners_, [id](const auto& l) { return l.first == id; });
}

std::vector<journal_entry> journal::entries(const journal_filter& filter) const {
    std::lock_guard lock{mutex_};
    std::vector<journal_entry> out;
    for (const auto& e : entries_)
        if (matches(e, filter)) out.push_back(e);
    return out;
}

void journal::clear() {
    std::lock_guard lock{mutex_};
    entries_.clear();
}

void journal::erase(const journal_filter& filter) {
    std::lock_guard lock{mutex_};
    std::erase_if(entries_, [&](const journal_entry& e) { return matches(e, filter); });
}

std::size_t journal::size() const {
    std::lock_guard lock{mutex_};
    return entries_.size();
}

std::uint64_t journal::dropped() const {
    std::lock_guard lock{mutex_};
    return dropped_;
}

}  // namespace teapot::detail

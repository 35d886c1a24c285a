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

std::uint64_t journal::record(std::unique_ptr<journal_entry>& entry) {
    if (entry->body.size() > max_body_bytes) {
        entry->body.resize(max_body_bytes);
        entry->body_truncated = true;
    }
    std::lock_guard lock{mutex_};
    const auto id = next_id_++;
    if (capacity_ == 0) {
        ++dropped_;
        return id;
    }
    entry->id = id;
    if (count_ == capacity_) {
        // Full: the oldest goes, its slot takes the newest.
        std::swap(slots_[start_], entry);
        start_ = (start_ + 1) % slots_.size();
        ++dropped_;
    } else if (count_ < slots_.size()) {
        std::swap(slots_[(start_ + count_++) % slots_.size()], entry);  // a slot left by clear() or erase()
    } else {
        slots_.push_back(std::move(entry));  // growing towards capacity; start_ is 0 then
        ++count_;
    }
    return id;
}

void journal::complete(std::uint64_t id, int status, std::optional<journal_entry::time_point> first_byte,
                       journal_entry::time_point done) {
    std::lock_guard lock{mutex_};
    auto* found = find(id);
    if (!found) return;
    auto& e = *found;
    e.status = status;
    e.first_byte = first_byte;
    e.done = done;
    for (const auto& [listener_id, listener] : listeners_) listener();
}

journal_entry* journal::find(std::uint64_t id) {
    // Ids increase by one along the ring unless erase() left gaps. The entry is then
    // where its distance from the newest puts it: one look, where a binary search
    // over a full ring of 10 000 touched 14 entries scattered in memory (the top
    // symbol of teapot's own code in a perf profile under load, docs/design.md).
    const auto back = next_id_ - id;  // 1 for the newest
    if (back >= 1 && back <= count_ && at(count_ - back).id == id) return &at(count_ - back);
    // Ids increase along the ring, with gaps: a binary search finds the entry.
    std::size_t low = 0, high = count_;
    while (low < high) {
        const auto mid = low + (high - low) / 2;
        if (at(mid).id < id)
            low = mid + 1;
        else
            high = mid;
    }
    return low < count_ && at(low).id == id ? &at(low) : nullptr;
}

std::size_t journal::count_served(const journal_filter& filter) const {
    std::lock_guard lock{mutex_};
    std::size_t served = 0;
    for_each([&](const journal_entry& e) { served += e.done && matches(e, filter) ? 1 : 0; });
    return served;
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
    for_each([&](const journal_entry& e) {
        if (matches(e, filter)) out.push_back(e);
    });
    return out;
}

void journal::clear() {
    std::lock_guard lock{mutex_};
    start_ = 0;
    count_ = 0;  // the slots stay, for reuse
}

void journal::erase(const journal_filter& filter) {
    std::lock_guard lock{mutex_};
    // Rare (a reset): the survivors move to the front, in order.
    std::vector<std::unique_ptr<journal_entry>> kept, spare;
    kept.reserve(slots_.size());
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        auto& slot = slots_[(start_ + i) % slots_.size()];
        (i < count_ && !matches(*slot, filter) ? kept : spare).push_back(std::move(slot));
    }
    count_ = kept.size();
    start_ = 0;
    for (auto& slot : spare) kept.push_back(std::move(slot));  // the spare slots stay, for reuse
    slots_ = std::move(kept);
}

std::size_t journal::size() const {
    std::lock_guard lock{mutex_};
    return count_;
}

std::uint64_t journal::dropped() const {
    std::lock_guard lock{mutex_};
    return dropped_;
}

}  // namespace teapot::detail

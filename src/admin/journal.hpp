#pragma once
// The request journal: what clients sent and what answered them, newest last,
// in a bounded ring so memory stays flat under load. Written by every I/O
// thread after a response, read by the admin API.

#include "admin/journal_filter.hpp"

#include <teapot/journal.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace teapot::detail {

/// The journal's entries are the public record: one type, no copying between two.
using journal_entry = teapot::recorded_request;

class journal {
public:
    static constexpr std::size_t max_body_bytes = 64 * 1024;

    explicit journal(std::size_t capacity) : capacity_(capacity) {}

    /// Records `entry` (its id is assigned here, and returned); the oldest goes when full.
    /// Recorded before the response is sent, so a client that has its answer finds it here.
    /// `entry` is swapped with a slot of the ring: the caller gets back an old entry (or
    /// null while the ring grows), whose strings it may fill again, so a steady stream
    /// of requests allocates nothing here, and the lock is held for a pointer swap.
    std::uint64_t record(std::unique_ptr<journal_entry>& entry);
    /// Completes entry `id` once its response is sent (if the ring still holds it).
    void complete(std::uint64_t id, int status, std::optional<journal_entry::time_point> first_byte,
                  journal_entry::time_point done);
    std::vector<journal_entry> entries(const journal_filter& filter) const;
    void clear();
    /// Removes the entries `filter` selects.
    void erase(const journal_filter& filter);
    /// How many entries `filter` selects whose response is over (served).
    std::size_t count_served(const journal_filter& filter) const;

    /// Calls `listener` after every completed entry, from the thread completing it,
    /// until the returned subscription is destroyed. Listeners must be quick (post, not work).
    class subscription {
    public:
        subscription(journal& j, std::uint64_t id) : journal_(&j), id_(id) {}
        subscription(const subscription&) = delete;
        subscription& operator=(const subscription&) = delete;
        ~subscription() { journal_->unsubscribe(id_); }

    private:
        journal* journal_;
        std::uint64_t id_;
    };
    subscription subscribe(std::function<void()> listener);

    /// Entries held now.
    std::size_t size() const;
    /// Entries pushed out of the ring since the start.
    std::uint64_t dropped() const;
    std::size_t capacity() const noexcept { return capacity_; }

private:
    std::size_t capacity_;
    /// The entry at position `i` (0 the oldest) of the ring. Caller holds the lock.
    journal_entry& at(std::size_t i) { return *slots_[(start_ + i) % slots_.size()]; }
    const journal_entry& at(std::size_t i) const { return *slots_[(start_ + i) % slots_.size()]; }
    /// The entry with `id`, or null when the ring no longer holds it. Caller holds the lock.
    journal_entry* find(std::uint64_t id);
    template <typename F>
    void for_each(F&& f) const {
        for (std::size_t i = 0; i < count_; ++i) f(at(i));
    }

    mutable std::mutex mutex_;
    // A ring in a vector that grows up to capacity_, oldest first from start_; slots are
    // reused (with their strings' storage) once it is full or after clear().
    std::vector<std::unique_ptr<journal_entry>> slots_;  // never null
    std::size_t start_ = 0;
    std::size_t count_ = 0;
    std::uint64_t next_id_ = 1;
    std::uint64_t dropped_ = 0;
    void unsubscribe(std::uint64_t id);
    std::vector<std::pair<std::uint64_t, std::function<void()>>> listeners_;
    std::uint64_t next_listener_ = 1;
};

}  // namespace teapot::detail

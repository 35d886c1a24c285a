#pragma once
// The request journal: what clients sent and what answered them, newest last,
// bounded in entries and in bytes so memory stays flat under load. Written by
// every I/O thread after a response, read by the admin API, and counted
// incrementally for those who wait on it.

#include "plan/journal_filter.hpp"

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

/// What the journal keeps, in all and of each request (server_options' journal_*).
struct journal_limits {
    std::size_t entries = 10'000;          ///< 0 turns the journal off
    std::size_t bytes = 64 * 1024 * 1024;  ///< what the entries hold in memory (entry_bytes)
    std::size_t body_bytes = 64 * 1024;    ///< of one request's body
    std::size_t fields = 100;              ///< header and trailer fields of one request
    std::size_t field_bytes = 16 * 1024;   ///< their names and values
    std::size_t page_bytes = 1024 * 1024;  ///< the JSON of one page of GET /__teapot/requests
};

/// What `e` holds in memory: the entry, and the heap blocks of its strings and lists
/// at their capacity (not their size), each with malloc's 16 bytes of overhead.
std::size_t entry_bytes(const journal_entry& e) noexcept;

/// Some of the entries a filter selects, oldest first.
struct journal_page {
    std::vector<journal_entry> entries;
    bool more = false;  ///< entries after the last one are selected too
};

class journal {
public:
    explicit journal(journal_limits limits) : limits_(limits) {}

    const journal_limits& limits() const noexcept { return limits_; }

    /// Records `entry` (its id is assigned here, and returned); the oldest go while the
    /// entries are too many or hold too much. Recorded before the response is sent, so a
    /// client that has its answer finds it here. `entry` is swapped with the oldest
    /// entry when one goes: the caller gets it back (or null), whose strings it may fill
    /// again, so a steady stream of requests allocates nothing here, and the lock is held
    /// for a pointer swap. Entries evicted for bytes beyond that one are freed.
    std::uint64_t record(std::unique_ptr<journal_entry>& entry);
    /// Completes entry `id` once its response is sent (if the journal still holds it),
    /// and counts it for the waits it concerns.
    void complete(std::uint64_t id, int status, std::optional<journal_entry::time_point> first_byte,
                  journal_entry::time_point done);
    /// The ping fault's count on entry `id` (if the journal still holds it), before it completes.
    void note_pings(std::uint64_t id, ping_count pings);
    /// At most `limit` entries `filter` selects (above its `since`), oldest first, copied
    /// under the lock until their entry_bytes pass `bytes` (one at least).
    journal_page page(const journal_filter& filter, std::size_t limit, std::size_t bytes) const;
    /// Every entry `filter` selects, oldest first: copied a page at a time, the lock let
    /// go between pages, so other threads record meanwhile.
    std::vector<journal_entry> entries(const journal_filter& filter) const;
    /// Forgets every entry (freed); ids go on.
    void clear();
    /// Removes (and frees) the entries `filter` selects.
    void erase(const journal_filter& filter);
    /// How many entries `filter` selects whose response is over (served).
    std::size_t count_served(const journal_filter& filter) const;

    struct waiter;
    /// A wait on the journal, registered until destroyed: see wait().
    class wait_registration {
    public:
        wait_registration(journal& j, std::unique_ptr<waiter> w);
        wait_registration(wait_registration&&) noexcept = default;
        wait_registration& operator=(wait_registration&&) = delete;
        ~wait_registration();
        /// Served entries the filter selects: those held when the wait began, then each
        /// one completed since (those evicted meanwhile still count); after an erase()
        /// or a clear(), those the journal still holds.
        std::size_t served() const;

    private:
        journal* journal_;
        std::unique_ptr<waiter> waiter_;
    };
    /// Starts counting the served entries `filter` selects: counted once now (under the
    /// lock, with the registration, so no completion is missed), then one completed entry
    /// at a time. `reached` is called each time the count reaches `count`, from the thread
    /// completing that entry and under the journal's lock: it must be quick (post, not work).
    wait_registration wait(journal_filter filter, std::size_t count, std::function<void()> reached);
    /// As wait() on every entry, `completed` called for each entry completed from now on (the
    /// dashboard's event stream); its served() counts them all, and drops after a clear().
    wait_registration watch(std::function<void()> completed);

    /// Entries held now.
    std::size_t size() const;
    /// What they hold (entry_bytes), within limits().bytes.
    std::size_t bytes() const;
    /// Entries pushed out since the start (for their number or their bytes).
    std::uint64_t dropped() const;
    /// Waits registered now.
    std::size_t waiters() const;
    std::size_t capacity() const noexcept { return limits_.entries; }

private:
    struct slot {
        std::unique_ptr<journal_entry> entry;  // null when the slot is free
        std::size_t bytes = 0;                 // entry_bytes(*entry) when recorded
    };
    // Every private member below: the caller holds the lock.
    /// The slot at position `i` (0 the oldest) of the ring.
    slot& at(std::size_t i) { return slots_[(start_ + i) % slots_.size()]; }
    const slot& at(std::size_t i) const { return slots_[(start_ + i) % slots_.size()]; }
    /// The entry with `id`, or null when the journal no longer holds it.
    journal_entry* find(std::uint64_t id);
    /// The position of the first entry with an id above `id`.
    std::size_t first_after(std::uint64_t id) const;
    std::size_t count_served_locked(const journal_filter& filter) const;
    /// Makes room for one more entry than the ring has slots.
    void grow();
    void unregister(waiter* w);

    const journal_limits limits_;
    mutable std::mutex mutex_;
    // A ring: count_ entries from start_, oldest first, ids increasing (with gaps after erase);
    // the other slots are free. It grows by doubling, up to the entry limit.
    std::vector<slot> slots_;
    std::size_t start_ = 0;
    std::size_t count_ = 0;
    std::size_t bytes_ = 0;
    std::uint64_t next_id_ = 1;
    std::uint64_t dropped_ = 0;
    std::vector<waiter*> waiters_;  // unordered; each knows its index
};

}  // namespace teapot::detail

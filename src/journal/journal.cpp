#include "journal/journal.hpp"

#include "scenario/session_key.hpp"

#include <algorithm>

namespace teapot::detail {
namespace {

// `f` with its session as the player files it (a long key compacted): computed once per call,
// not once per entry.
journal_filter as_filed(const journal_filter& f) {
    if (!f.session || f.session->size() <= scenario::max_stored_session_key) return f;
    auto out = f;
    out.session = scenario::stored_session_key(*f.session);
    return out;
}

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

// glibc's malloc: a block costs 16 bytes beyond what was asked (its header, and rounding).
constexpr std::size_t block_overhead = 16;

std::size_t heap_bytes(const std::string& s) noexcept {
    // A short string lives inside the object itself (the small-string buffer): no block.
    // Not constexpr: clang (the fuzz build) cannot evaluate libstdc++ 12's string constructor so.
    static const std::size_t inline_capacity = std::string{}.capacity();
    return s.capacity() > inline_capacity ? s.capacity() + 1 + block_overhead : 0;
}

template <typename T>
std::size_t list_bytes(const std::vector<T>& v) noexcept {
    return v.capacity() ? v.capacity() * sizeof(T) + block_overhead : 0;
}

std::size_t fields_bytes(const std::vector<std::pair<std::string, std::string>>& fields) noexcept {
    auto n = list_bytes(fields);
    for (const auto& [name, value] : fields) n += heap_bytes(name) + heap_bytes(value);
    return n;
}

}  // namespace

std::size_t entry_bytes(const journal_entry& e) noexcept {
    // The entry's own block, and its place in the journal (a pointer and this count).
    std::size_t n = sizeof(journal_entry) + block_overhead + sizeof(void*) + sizeof(std::size_t);
    n += heap_bytes(e.method) + heap_bytes(e.target) + heap_bytes(e.path) + heap_bytes(e.body) + heap_bytes(e.peer);
    n += heap_bytes(e.scenario) + heap_bytes(e.route) + heap_bytes(e.unmatched) + heap_bytes(e.fault);
    n += fields_bytes(e.headers) + fields_bytes(e.trailers) + list_bytes(e.sessions);
    for (const auto& s : e.sessions) n += heap_bytes(s);
    // Shared by a connection's requests, but counted in each: an upper bound.
    if (const auto& t = e.tls)
        n += sizeof(tls_facts) + block_overhead + heap_bytes(t->server_name) + heap_bytes(t->version) +
             heap_bytes(t->cipher) + heap_bytes(t->alpn) + heap_bytes(t->client_subject) + heap_bytes(t->client_issuer);
    return n;
}

struct journal::waiter {
    journal_filter filter;
    std::size_t wanted = 1;  // 0: every completed entry (a watch)
    std::size_t served = 0;
    std::function<void()> reached;
    std::size_t index = 0;  // in waiters_
};

std::uint64_t journal::record(std::unique_ptr<journal_entry>& entry) {
    const auto bytes = entry_bytes(*entry);
    // Declared before the lock, so destroyed after it is let go: freeing is not the lock's business.
    std::vector<std::unique_ptr<journal_entry>> freed;
    std::unique_ptr<journal_entry> given_back;
    std::lock_guard lock{mutex_};
    const auto id = next_id_++;
    // An entry larger than the whole budget is not kept (only a tiny --journal-bytes allows one).
    if (limits_.entries == 0 || bytes > limits_.bytes) {
        ++dropped_;
        return id;
    }
    entry->id = id;
    while (count_ >= limits_.entries || bytes_ + bytes > limits_.bytes) {
        // The oldest goes. The first one evicted goes back to the caller, to be filled again
        // (the steady state: one out, one in); any other is freed, not parked.
        auto& oldest = slots_[start_];
        bytes_ -= oldest.bytes;
        if (given_back)
            freed.push_back(std::move(oldest.entry));
        else
            given_back = std::move(oldest.entry);
        start_ = (start_ + 1) % slots_.size();
        --count_;
        ++dropped_;
    }
    if (count_ == slots_.size()) grow();
    at(count_++) = {std::move(entry), bytes};
    bytes_ += bytes;
    entry = std::move(given_back);
    return id;
}

void journal::grow() {
    // Rare: log2 of the entry limit times in a journal's life (clear() starts it over).
    std::vector<slot> bigger(std::min(std::max<std::size_t>(16, 2 * slots_.size()), limits_.entries));
    for (std::size_t i = 0; i < count_; ++i) bigger[i] = std::move(at(i));
    slots_.swap(bigger);
    start_ = 0;
}

void journal::complete(std::uint64_t id, int status, std::optional<journal_entry::time_point> first_byte,
                       journal_entry::time_point done) {
    std::lock_guard lock{mutex_};
    auto* found = find(id);
    if (!found || found->done) return;
    auto& e = *found;
    e.status = status;
    e.first_byte = first_byte;
    e.done = done;
    // Each wait checks this entry alone; a waiter is woken once its count is reached, a watch each time.
    for (auto* w : waiters_)
        if (matches(e, w->filter) && (++w->served == w->wanted || w->wanted == 0)) w->reached();
}

void journal::note_pings(std::uint64_t id, ping_count pings) {
    std::lock_guard lock{mutex_};
    if (auto* found = find(id)) found->pings = pings;
}

journal_entry* journal::find(std::uint64_t id) {
    // Ids increase by one along the journal unless erase() left gaps. The entry is then
    // where its distance from the newest puts it: one look, where a binary search
    // over a full journal of 10 000 touched 14 entries scattered in memory (the top
    // symbol of teapot's own code in a perf profile under load, docs/design.md).
    const auto back = next_id_ - id;  // 1 for the newest
    if (back >= 1 && back <= count_ && at(count_ - back).entry->id == id) return at(count_ - back).entry.get();
    const auto i = first_after(id - 1);
    return i < count_ && at(i).entry->id == id ? at(i).entry.get() : nullptr;
}

std::size_t journal::first_after(std::uint64_t id) const {
    // Ids increase along the ring, with gaps: a binary search finds the place.
    std::size_t low = 0, high = count_;
    while (low < high) {
        const auto mid = low + (high - low) / 2;
        if (at(mid).entry->id <= id)
            low = mid + 1;
        else
            high = mid;
    }
    return low;
}

std::size_t journal::count_served_locked(const journal_filter& filter) const {
    std::size_t served = 0;
    for (auto i = filter.since ? first_after(*filter.since) : 0; i < count_; ++i)
        served += at(i).entry->done && matches(*at(i).entry, filter) ? 1 : 0;
    return served;
}

std::size_t journal::count_served(const journal_filter& filter) const {
    const auto filed = as_filed(filter);
    std::lock_guard lock{mutex_};
    return count_served_locked(filed);
}

journal::wait_registration journal::wait(journal_filter filter, std::size_t count, std::function<void()> reached) {
    auto w = std::make_unique<waiter>();
    w->filter = as_filed(filter);
    w->wanted = count;
    w->reached = std::move(reached);
    std::lock_guard lock{mutex_};
    w->served = count_served_locked(w->filter);
    w->index = waiters_.size();
    waiters_.push_back(w.get());
    return wait_registration{*this, std::move(w)};
}

journal::wait_registration journal::watch(std::function<void()> completed) {
    return wait(journal_filter{}, 0, std::move(completed));
}

void journal::unregister(waiter* w) {
    std::lock_guard lock{mutex_};
    // The last one takes its place: the order of waiters does not matter.
    waiters_[w->index] = waiters_.back();
    waiters_[w->index]->index = w->index;
    waiters_.pop_back();
}

journal::wait_registration::wait_registration(journal& j, std::unique_ptr<waiter> w)
    : journal_(&j), waiter_(std::move(w)) {}

journal::wait_registration::~wait_registration() {
    if (waiter_) journal_->unregister(waiter_.get());
}

std::size_t journal::wait_registration::served() const {
    std::lock_guard lock{journal_->mutex_};
    return waiter_->served;
}

journal_page journal::page(const journal_filter& asked, std::size_t limit, std::size_t bytes) const {
    const auto filter = as_filed(asked);
    journal_page out;
    std::size_t copied = 0;
    std::lock_guard lock{mutex_};
    for (auto i = filter.since ? first_after(*filter.since) : 0; i < count_; ++i) {
        const auto& s = at(i);
        if (!matches(*s.entry, filter)) continue;
        if (out.entries.size() >= limit || (!out.entries.empty() && copied >= bytes)) {
            out.more = true;
            break;
        }
        out.entries.push_back(*s.entry);
        copied += s.bytes;
    }
    return out;
}

std::vector<journal_entry> journal::entries(const journal_filter& filter) const {
    std::vector<journal_entry> out;
    auto rest = filter;
    for (;;) {
        auto p = page(rest, 1000, limits_.page_bytes);
        if (!p.entries.empty()) rest.since = p.entries.back().id;
        std::move(p.entries.begin(), p.entries.end(), std::back_inserter(out));
        if (!p.more) return out;
    }
}

void journal::clear() {
    std::vector<slot> gone;  // freed after the lock is let go
    std::lock_guard lock{mutex_};
    gone.swap(slots_);
    start_ = 0;
    count_ = 0;
    bytes_ = 0;
    for (auto* w : waiters_) w->served = 0;
}

void journal::erase(const journal_filter& asked) {
    const auto filter = as_filed(asked);
    // Rare (a reset): the survivors move to a new ring, in order; the erased stay in the old
    // one, freed with it after the lock is let go.
    std::vector<slot> kept;
    std::lock_guard lock{mutex_};
    kept.resize(slots_.size());
    std::size_t n = 0;
    for (std::size_t i = 0; i < count_; ++i) {
        auto& s = at(i);
        if (!matches(*s.entry, filter)) {
            kept[n++] = std::move(s);
            continue;
        }
        bytes_ -= s.bytes;
    }
    slots_.swap(kept);
    start_ = 0;
    count_ = n;
    // A reset forgets what it erased, and what was counted before it: waits count the survivors again.
    for (auto* w : waiters_) w->served = count_served_locked(w->filter);
}

std::size_t journal::size() const {
    std::lock_guard lock{mutex_};
    return count_;
}

std::size_t journal::bytes() const {
    std::lock_guard lock{mutex_};
    return bytes_;
}

std::uint64_t journal::dropped() const {
    std::lock_guard lock{mutex_};
    return dropped_;
}

std::size_t journal::waiters() const {
    std::lock_guard lock{mutex_};
    return waiters_.size();
}

}  // namespace teapot::detail

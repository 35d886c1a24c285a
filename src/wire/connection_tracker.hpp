#pragma once
// Every open connection, so that stop() can drain them and --max-connections
// can refuse new ones. Connections live on different threads: one mutex.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace teapot::detail {

class connection;

class connection_tracker {
public:
    std::uint64_t next_id() noexcept { return ++last_id_; }

    /// False once the server drains: the new connection must drain at once (it was
    /// accepted while the acceptor was closing).
    [[nodiscard]] bool add(std::uint64_t id, std::weak_ptr<connection> c);
    void remove(std::uint64_t id);
    std::size_t count() const noexcept { return count_.load(std::memory_order_relaxed); }

    /// Asks every connection, and every one added from now on, to drain. Safe from any thread.
    void drain_all();
    /// Blocks the calling thread (never an I/O thread) until no connection is left, or
    /// `deadline`; true when none is. Woken by the last remove(), not by polling.
    bool wait_until_empty(std::chrono::steady_clock::time_point deadline);

private:
    std::atomic<std::uint64_t> last_id_{0};
    std::atomic<std::size_t> count_{0};
    std::mutex mutex_;
    std::condition_variable emptied_;
    bool draining_ = false;
    std::unordered_map<std::uint64_t, std::weak_ptr<connection>> connections_;
};

}  // namespace teapot::detail

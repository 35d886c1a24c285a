#pragma once
// Every open connection, so that stop() can drain them and --max-connections
// can refuse new ones. Connections live on different threads: one mutex.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace teapot::detail {

class connection;

class connection_tracker {
public:
    std::uint64_t next_id() noexcept { return ++last_id_; }

    void add(std::uint64_t id, std::weak_ptr<connection> s);
    void remove(std::uint64_t id);
    std::size_t count() const noexcept { return count_.load(std::memory_order_relaxed); }

    /// Calls f on every live connection; f must only post work to it.
    void for_each(const std::function<void(connection&)>& f);

private:
    std::atomic<std::uint64_t> last_id_{0};
    std::atomic<std::size_t> count_{0};
    std::mutex mutex_;
    std::unordered_map<std::uint64_t, std::weak_ptr<connection>> connections_;
};

}  // namespace teapot::detail

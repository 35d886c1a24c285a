#pragma once
// Watches scenario files and folders with inotify, on the event loop (no
// thread of its own), and calls back once a burst of changes has settled:
// editors write a file in several steps (truncate, write, rename).

#include "wire/net.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace teapot::detail {

class file_watcher : public std::enable_shared_from_this<file_watcher> {
public:
    /// Throws std::system_error when inotify is unavailable.
    file_watcher(net::io_context& ctx, const std::vector<std::string>& paths, std::function<void()> on_change,
                 std::chrono::milliseconds settle = std::chrono::milliseconds{100});

    void start();
    /// Stops watching. Safe from any thread.
    void stop();

private:
    net::awaitable<void> watch(std::shared_ptr<file_watcher> self);
    net::awaitable<void> settle_then_notify(std::shared_ptr<file_watcher> self);
    bool relevant(int watch_descriptor, std::string_view name) const;
    bool any_relevant(const char* data, std::size_t n) const;

    struct watched_dir {
        int wd;
        std::string only_name;  ///< a watched file's name; empty: every *.yaml / *.yml
    };
    net::posix::stream_descriptor inotify_;
    std::vector<watched_dir> watches_;
    std::function<void()> on_change_;
    std::chrono::milliseconds settle_;
    timer_type settle_timer_;
    bool settling_ = false;
};

}  // namespace teapot::detail

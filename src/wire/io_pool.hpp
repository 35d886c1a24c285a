#pragma once
// The threads that run the server: one io_context per thread, each run by
// exactly one thread, so a connection's handlers never need a strand or a lock.
// Measured against one io_context shared by all threads: see docs/design.md.

#include "wire/net.hpp"

#include <functional>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

namespace teapot::detail {

class io_pool {
public:
    explicit io_pool(unsigned threads);
    ~io_pool();

    /// The context new connections go to, round-robin.
    net::io_context& next();
    net::io_context& first() { return *contexts_.front(); }
    std::size_t size() const noexcept { return contexts_.size(); }

    /// Starts the threads. A handler that throws is reported to `on_error` and its
    /// thread runs on: one failed handler never ends the process.
    void run(std::function<void(std::string_view)> on_error);
    void stop();  ///< stops every context and joins the threads; idempotent

private:
    std::vector<std::unique_ptr<net::io_context>> contexts_;
    std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
    std::vector<std::thread> threads_;
    std::size_t next_ = 0;  // used by the accepting thread only
};

}  // namespace teapot::detail

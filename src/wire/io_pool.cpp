#include "wire/io_pool.hpp"

#include <pthread.h>
#include <csignal>

namespace teapot::detail {

io_pool::io_pool(unsigned threads) {
    if (threads == 0) threads = 1;
    for (unsigned i = 0; i < threads; ++i) {
        // Concurrency hint 1: each context is run by one thread, so Asio may skip locking.
        contexts_.push_back(std::make_unique<net::io_context>(1));
        guards_.push_back(net::make_work_guard(*contexts_.back()));
    }
}

io_pool::~io_pool() { stop(); }

net::io_context& io_pool::next() {
    auto& ctx = *contexts_[next_];
    next_ = (next_ + 1) % contexts_.size();
    return ctx;
}

void io_pool::run(std::function<void(std::string_view)> on_error) {
    for (auto& ctx : contexts_)
        threads_.emplace_back([c = ctx.get(), on_error] {
            // OpenSSL writes a TLS connection's descriptor with write(2): a client gone makes it
            // raise SIGPIPE, which would end the process. Blocked on these threads only, it stays
            // pending and the write fails with EPIPE, as Asio's own sends do (MSG_NOSIGNAL).
            sigset_t pipe;
            sigemptyset(&pipe);
            sigaddset(&pipe, SIGPIPE);
            pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
            // Asio's advice: an exception thrown by a handler leaves run(); run again.
            for (;;) {
                try {
                    c->run();
                    return;
                } catch (const std::exception& e) {
                    on_error(std::string{"an I/O thread's handler failed: "} + e.what());
                } catch (...) {
                    on_error("an I/O thread's handler failed with an unknown exception");
                }
            }
        });
}

void io_pool::stop() {
    guards_.clear();
    for (auto& ctx : contexts_) ctx->stop();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

}  // namespace teapot::detail

#pragma once
// Accepts connections and hands each to a connection on the next io_context.

#include "wire/io_pool.hpp"
#include "wire/net.hpp"

#include <memory>

namespace teapot::detail {

class connection_tracker;
struct connection_config;

class listener : public std::enable_shared_from_this<listener> {
public:
    /// Binds and listens at once; throws std::system_error on failure.
    listener(io_pool& pool, const tcp::endpoint& endpoint, std::shared_ptr<const connection_config> config,
             connection_tracker& tracker);

    std::uint16_t port() const noexcept { return port_; }

    void start();
    /// Closes the acceptor: no new connection from now on. Safe from any thread.
    void stop();

private:
    net::awaitable<void> accept_loop(std::shared_ptr<listener> self);
    void refuse(tcp::socket socket, const tcp::endpoint& peer);

    io_pool& pool_;
    tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::shared_ptr<const connection_config> config_;
    connection_tracker& tracker_;
};

}  // namespace teapot::detail

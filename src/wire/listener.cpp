#include "wire/listener.hpp"

#include "handlers/cors.hpp"
#include "handlers/error_plan.hpp"
#include "plan/request.hpp"
#include "wire/connection.hpp"
#include "wire/connection_tracker.hpp"
#include "wire/head_bytes.hpp"

#include <boost/asio/post.hpp>

#include <system_error>

namespace teapot::detail {

listener::listener(io_pool& pool, const tcp::endpoint& endpoint, std::shared_ptr<const connection_config> config,
                   connection_tracker& tracker)
    : pool_(pool), acceptor_(pool.first()), config_(std::move(config)), tracker_(tracker) {
    beast::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::system_error(
            ec, "cannot listen on " + endpoint.address().to_string() + ":" + std::to_string(endpoint.port()));
    port_ = acceptor_.local_endpoint().port();
}

void listener::start() {
    // The loop catches what one connection's set-up throws; this reports anything else.
    net::co_spawn(acceptor_.get_executor(), accept_loop(shared_from_this()),
                  [log = config_->log](std::exception_ptr failure) {
                      if (failure) log.warn("the accept loop ended after an internal error: no new connections");
                  });
}

void listener::stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        beast::error_code ignored;
        self->acceptor_.close(ignored);
    });
}

void listener::refuse(tcp::socket socket, const tcp::endpoint& peer) {
    beast::error_code ec;
    const auto peer_text = peer.address().to_string() + ":" + std::to_string(peer.port());
    if (config_->tls) {
        // Over TLS the 503 would cost a handshake, which is what an overloaded server saves:
        // closed at once (the client reports a handshake that ended early).
        socket.close(ec);
        config_->log.access({0, "-", "-", 503, 0, 0.0, peer_text});
        return;
    }
    // Over --max-connections: a best-effort 503 written without waiting (the
    // socket buffer of a new connection takes it whole), then close. No request
    // was read: the answer is text, with CORS as every answer has it (no Origin to echo).
    auto plan = error_plan(503, "too many open connections (--max-connections); try again shortly", nullptr);
    plan.final_head.set("Retry-After", "1");
    add_cors_headers(request{}, plan.final_head);
    std::string busy;
    append_head(busy, plan.final_head, config_->server_header, {plan.body.size(), false, "close"});
    busy += plan.body;
    socket.non_blocking(true, ec);
    auto written = socket.write_some(net::buffer(busy), ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
    socket.close(ec);
    config_->log.access({0, "-", "-", 503, written, 0.0, peer_text});
}

// The shared_ptr parameter keeps the listener alive for as long as the loop runs.
net::awaitable<void> listener::accept_loop(std::shared_ptr<listener> /*self*/) {
    timer_type backoff{acceptor_.get_executor()};
    // After close(), a pending accept fails with bad_descriptor rather than
    // operation_aborted: the acceptor's state says when to stop.
    while (acceptor_.is_open()) {
        tcp::endpoint peer;
        auto [ec, socket] = co_await acceptor_.async_accept(pool_.next(), peer, use_tuple_awaitable);
        if (!acceptor_.is_open()) break;
        if (ec) {
            // Out of descriptors (EMFILE) and the like: wait rather than spin.
            config_->log.warn("accept failed: " + ec.message());
            backoff.expires_after(std::chrono::milliseconds{50});
            co_await backoff.async_wait();
            continue;
        }
        if (tracker_.count() >= config_->request_limits.max_connections) {
            refuse(std::move(socket), peer);
            continue;
        }
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        try {
            std::make_shared<connection>(std::move(socket), peer, config_, tracker_)->start();
        } catch (const std::exception& e) {
            config_->log.warn(std::string{"a connection could not start: "} + e.what());  // bad_alloc: this one only
        }
    }
}

}  // namespace teapot::detail

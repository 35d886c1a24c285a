#include "wire/byte_stream.hpp"

#include <boost/asio/ssl/error.hpp>

namespace teapot::detail {

bool is_end_of_stream(const beast::error_code& ec) noexcept {
    return ec == net::error::eof || ec == net::ssl::error::stream_truncated;
}

namespace {

tcp::socket non_blocking(tcp::socket socket) {
    // Non-blocking, so that write_now never waits.
    beast::error_code ignored;
    socket.non_blocking(true, ignored);
    return socket;
}

}  // namespace

byte_stream::byte_stream(tcp::socket socket, net::ssl::context* tls)
    : socket_(tls ? tcp::socket{socket.get_executor()} : non_blocking(std::move(socket))),
      tls_(tls ? std::make_unique<tls_stream>(std::move(socket), tls->native_handle()) : nullptr) {}

void byte_stream::start_tls(net::ssl::context& tls) {
    tls_ = std::make_unique<tls_stream>(std::move(socket_), tls.native_handle());
}

net::awaitable<beast::error_code> byte_stream::handshake() {
    if (!tls_) co_return beast::error_code{};
    co_return co_await tls_->handshake();
}

void byte_stream::cancel() noexcept {
    beast::error_code ignored;
    socket().cancel(ignored);
}

net::awaitable<void> byte_stream::shutdown_send() {
    if (tls_) co_await tls_->send_close_notify();
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_send, ignored);
}

void byte_stream::close_without_close_notify() noexcept {
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_send, ignored);
    socket().close(ignored);
}

net::awaitable<beast::error_code> byte_stream::update_keys() {
    if (!tls_) co_return net::error::operation_not_supported;
    co_return co_await tls_->update_keys();
}

net::awaitable<beast::error_code> byte_stream::renegotiate() {
    if (!tls_) co_return net::error::operation_not_supported;
    co_return co_await tls_->renegotiate();
}

net::awaitable<beast::error_code> byte_stream::send_tls_alert(unsigned char description) {
    if (!tls_) co_return net::error::operation_not_supported;
    co_return co_await tls_->send_alert(description);
}

void byte_stream::shutdown_both() noexcept {
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
}

void byte_stream::close() noexcept {
    beast::error_code ignored;
    socket().close(ignored);
}

void byte_stream::reset() noexcept {
    beast::error_code ignored;
    socket().set_option(net::socket_base::linger{true, 0}, ignored);
    socket().close(ignored);
}

}  // namespace teapot::detail

#include "wire/byte_stream.hpp"

namespace teapot::detail {

byte_stream::byte_stream(tcp::socket socket) : socket_(std::move(socket)) {
    // Non-blocking, so that write_now never waits.
    beast::error_code ignored;
    socket_.non_blocking(true, ignored);
}

void byte_stream::cancel() noexcept {
    beast::error_code ignored;
    socket_.cancel(ignored);
}

void byte_stream::shutdown_send() noexcept {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
}

void byte_stream::shutdown_both() noexcept {
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
}

void byte_stream::close() noexcept {
    beast::error_code ignored;
    socket_.close(ignored);
}

void byte_stream::reset() noexcept {
    beast::error_code ignored;
    socket_.set_option(net::socket_base::linger{true, 0}, ignored);
    socket_.close(ignored);
}

}  // namespace teapot::detail

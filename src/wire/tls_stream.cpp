#include "wire/tls_stream.hpp"

#include "tls/sealed_alert.hpp"

#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <new>
#include <utility>

namespace teapot::detail {
namespace {

// What a failed SSL call means for the caller: the peer's close_notify is the end of the
// stream; an end without it, a truncation (as Asio's ssl::stream reports it); else the
// system's error or OpenSSL's reason.
beast::error_code error_of(int error, int saved_errno) {
    if (error == SSL_ERROR_ZERO_RETURN) return net::error::eof;
    if (error == SSL_ERROR_SYSCALL) {
        if (saved_errno == 0) return net::ssl::error::stream_truncated;
        return {saved_errno, boost::system::system_category()};
    }
    const auto code = ERR_peek_last_error();
    if (ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING) return net::ssl::error::stream_truncated;
    return {static_cast<int>(code), net::error::get_ssl_category()};
}

}  // namespace

tls_stream::tls_stream(tcp::socket socket, SSL_CTX* context) : socket_(std::move(socket)), ssl_(SSL_new(context)) {
    if (!ssl_) throw std::bad_alloc{};
    beast::error_code ignored;
    socket_.non_blocking(true, ignored);  // OpenSSL reads and writes the descriptor: never wait in it
    SSL_set_fd(ssl_, static_cast<int>(socket_.native_handle()));
    SSL_set_accept_state(ssl_);
    tls::attach_write_keys(ssl_, &keys_);
    // A record is written whole over as many calls as the socket needs, from a buffer that
    // may move between them (beast::buffers_suffix); idle connections hold no record buffers.
    SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    // Whatever the socket holds in one read, not a record header and then its body: half the reads.
    SSL_set_read_ahead(ssl_, 1);
}

tls_stream::tls_stream(tls_stream&& other) noexcept
    : socket_(std::move(other.socket_)), ssl_(std::exchange(other.ssl_, nullptr)), keys_(std::move(other.keys_)) {
    if (ssl_) tls::attach_write_keys(ssl_, &keys_);
}

tls_stream::~tls_stream() {
    if (ssl_) SSL_free(ssl_);
}

template <typename Call>
tls_stream::io_result tls_stream::call_once(Call call, beast::error_code& ec) {
    if (!socket_.is_open()) return closed(ec);
    ERR_clear_error();
    errno = 0;
    if (call() == 1) return io_result::done;
    const int saved_errno = errno;
    const int error = SSL_get_error(ssl_, 0);  // an _ex call failed: its result is 0
    if (error == SSL_ERROR_WANT_READ) return io_result::want_read;
    if (error == SSL_ERROR_WANT_WRITE) return io_result::want_write;
    ec = error_of(error, saved_errno);
    ERR_clear_error();
    return io_result::failed;
}

tls_stream::io_result tls_stream::read_once(void* data, std::size_t size, std::size_t& n, beast::error_code& ec) {
    return call_once([&] { return SSL_read_ex(ssl_, data, size, &n); }, ec);
}

tls_stream::io_result tls_stream::write_once(const void* data, std::size_t size, std::size_t& n,
                                             beast::error_code& ec) {
    return call_once([&] { return SSL_write_ex(ssl_, data, size, &n); }, ec);
}

std::size_t tls_stream::write_some_now(const void* data, std::size_t size, beast::error_code& ec) {
    std::size_t n = 0;
    const auto r = write_once(data, size, n, ec);
    return r == io_result::done ? n : 0;  // would block: 0 and no error, the caller goes asynchronous
}

template <typename Call>
net::awaitable<beast::error_code> tls_stream::until_done(Call call) {
    for (;;) {
        if (!socket_.is_open()) co_return net::error::bad_descriptor;
        ERR_clear_error();
        errno = 0;
        const int r = call();
        if (r == 1) co_return beast::error_code{};
        const int saved_errno = errno;
        const int error = SSL_get_error(ssl_, r);
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
            auto ec = error_of(error, saved_errno);
            ERR_clear_error();
            co_return ec;
        }
        auto [ec] = co_await socket_.async_wait(
            error == SSL_ERROR_WANT_READ ? tcp::socket::wait_read : tcp::socket::wait_write, use_tuple_awaitable);
        if (ec) co_return ec;
    }
}

net::awaitable<beast::error_code> tls_stream::handshake() {
    co_return co_await until_done([this] { return SSL_do_handshake(ssl_); });
}

net::awaitable<beast::error_code> tls_stream::slow_handshake(std::size_t bytes, std::chrono::milliseconds every,
                                                             std::chrono::steady_clock::time_point until) {
    BIO* flight = BIO_new(BIO_s_mem());
    if (!flight) throw std::bad_alloc{};
    SSL_set0_wbio(ssl_, flight);  // the socket's BIO stays the read side
    std::array<char, 256> piece{};
    bytes = std::clamp<std::size_t>(bytes, 1, piece.size());
    net::steady_timer pause{socket_.get_executor()};
    beast::error_code result;
    for (bool done = false; !done && !result;) {
        if (!socket_.is_open()) {
            result = net::error::bad_descriptor;
            break;
        }
        ERR_clear_error();
        errno = 0;
        const int r = SSL_do_handshake(ssl_);
        const int saved_errno = errno;
        const int error = r == 1 ? SSL_ERROR_NONE : SSL_get_error(ssl_, r);
        // What OpenSSL wrote (a flight, or the alert of a failure) goes out first, a piece a pause.
        while (!result && BIO_ctrl_pending(flight) > 0) {
            const int n = BIO_read(flight, piece.data(), static_cast<int>(bytes));
            auto [ec, sent] = co_await net::async_write(socket_, net::buffer(piece.data(), static_cast<std::size_t>(n)),
                                                        use_tuple_awaitable);
            result = ec;
            if (result || BIO_ctrl_pending(flight) == 0) break;
            if (std::chrono::steady_clock::now() + every > until) {
                result = net::error::timed_out;
                break;
            }
            pause.expires_after(every);
            co_await pause.async_wait(use_tuple_awaitable);
            if (!socket_.is_open()) result = net::error::bad_descriptor;  // the server stops
        }
        if (result || r == 1) {
            done = true;
        } else if (error == SSL_ERROR_WANT_READ) {
            auto [ec] = co_await socket_.async_wait(tcp::socket::wait_read, use_tuple_awaitable);
            result = ec;
        } else {
            result = error_of(error, saved_errno);
        }
    }
    ERR_clear_error();
    // The handshake over, OpenSSL writes to the socket again, as every other connection's does.
    SSL_set0_wbio(ssl_, BIO_new_socket(static_cast<int>(socket_.native_handle()), BIO_NOCLOSE));
    co_return result;
}

net::awaitable<beast::error_code> tls_stream::update_keys() {
    if (SSL_key_update(ssl_, SSL_KEY_UPDATE_REQUESTED) != 1) {
        ERR_clear_error();
        co_return net::error::operation_not_supported;  // not TLS 1.3: the router refuses it before
    }
    co_return co_await until_done([this] { return SSL_do_handshake(ssl_); });
}

net::awaitable<beast::error_code> tls_stream::renegotiate() {
    if (SSL_renegotiate(ssl_) != 1) {
        ERR_clear_error();
        co_return net::error::operation_not_supported;
    }
    // The HelloRequest goes out; the server's state machine then rests until a ClientHello.
    if (auto ec = co_await until_done([this] { return SSL_do_handshake(ssl_); })) co_return ec;
    // Only a read runs the new handshake: a peek, so that data sent instead stays for the parser.
    co_return co_await until_done([this] {
        if (!SSL_renegotiate_pending(ssl_)) return 1;
        char byte = 0;
        std::size_t n = 0;
        const int r = SSL_peek_ex(ssl_, &byte, 1, &n);
        // Done once the client's Finished is read, though the peek then waits on for data.
        return SSL_renegotiate_pending(ssl_) ? r : 1;
    });
}

net::awaitable<beast::error_code> tls_stream::send_alert(unsigned char description) {
    const auto record = tls::sealed_alert(ssl_, keys_, description);
    if (record.empty()) co_return net::error::operation_not_supported;  // the router refuses these before
    ++keys_.records;
    auto [ec, n] = co_await net::async_write(socket_, net::buffer(record), use_tuple_awaitable);
    co_return ec;
}

tls_stream::io_result tls_stream::closed(beast::error_code& ec) {
    // OpenSSL holds the descriptor's number, which the kernel may already have given to a
    // new connection: once the socket is closed, OpenSSL never touches it again.
    ec = net::error::bad_descriptor;
    return io_result::failed;
}

net::awaitable<void> tls_stream::send_close_notify() {
    if (!socket_.is_open()) co_return;
    // Marked as if the client's close_notify had come: SSL_shutdown sends ours and is done,
    // instead of waiting for theirs, which most clients never send.
    SSL_set_shutdown(ssl_, SSL_get_shutdown(ssl_) | SSL_RECEIVED_SHUTDOWN);
    for (int attempt = 0; attempt < 8; ++attempt) {  // a 31-byte alert: a few tries at most
        ERR_clear_error();
        const int r = SSL_shutdown(ssl_);
        if (r >= 0 || SSL_get_error(ssl_, r) != SSL_ERROR_WANT_WRITE) break;
        auto [ec] = co_await socket_.async_wait(tcp::socket::wait_write, use_tuple_awaitable);
        if (ec || !socket_.is_open()) break;
    }
    ERR_clear_error();
}

net::awaitable<void> tls_stream::teardown() {
    co_await send_close_notify();
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    std::array<char, 4096> sink{};
    for (std::size_t drained = 0; !ec && drained < 64 * 1024;) {
        auto [read_ec, n] = co_await socket_.async_read_some(net::buffer(sink), use_tuple_awaitable);
        ec = read_ec;
        drained += n;
    }
    socket_.close(ec);
}

void teardown(beast::role_type /*role*/, tls_stream& stream, beast::error_code& ec) {
    stream.next_layer().shutdown(tcp::socket::shutdown_both, ec);
    stream.next_layer().close(ec);
}

}  // namespace teapot::detail

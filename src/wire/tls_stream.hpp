#pragma once
// TLS over a TCP socket, with OpenSSL reading and writing the socket's descriptor
// itself, as nginx does, and Asio only waiting for readiness. Asio's ssl::stream,
// the first transport, copied every record through an OpenSSL BIO pair and two
// 17 KiB buffers of its own (about 70 KiB a connection) and had no non-blocking
// write: docs/design.md, "Where a TLS stream and an HTTP/2 engine plug in".

#include "tls/write_keys.hpp"
#include "wire/net.hpp"

#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/role.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <type_traits>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace teapot::detail {

class tls_stream {
public:
    using executor_type = tcp::socket::executor_type;
    using next_layer_type = tcp::socket;  ///< for Beast's get_lowest_layer (the WebSocket's timeouts)

    /// A server-side TLS stream of `context` over `socket`. Throws std::bad_alloc when
    /// OpenSSL cannot allocate the connection.
    tls_stream(tcp::socket socket, SSL_CTX* context);
    tls_stream(tls_stream&& other) noexcept;
    tls_stream& operator=(tls_stream&&) = delete;
    ~tls_stream();

    executor_type get_executor() noexcept { return socket_.get_executor(); }
    tcp::socket& next_layer() noexcept { return socket_; }
    SSL* native_handle() const noexcept { return ssl_; }

    /// The server's handshake; arm a deadline first (cancel() on the socket ends it).
    net::awaitable<beast::error_code> handshake();

    /// Decrypted bytes, as Asio's AsyncReadStream: at most the first non-empty buffer's worth.
    template <typename MutableBuffers, typename Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return net::async_compose<Token, void(beast::error_code, std::size_t)>(
            io_op<MutableBuffers, true>{this, buffers}, token, socket_);
    }
    /// Bytes encrypted and sent, as Asio's AsyncWriteStream: the first non-empty buffer, or
    /// part of it (one record at a time). A retry after a short write resumes where it stopped,
    /// as OpenSSL requires.
    template <typename ConstBuffers, typename Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return net::async_compose<Token, void(beast::error_code, std::size_t)>(
            io_op<ConstBuffers, false>{this, buffers}, token, socket_);
    }

    /// Encrypts and sends what the socket takes now, buffer after buffer; stops at the first
    /// that would block, having sent everything before it. The caller writes the rest with
    /// async_write_some, from exactly there (plan_writer's write_rest does).
    template <typename ConstBuffers>
    std::size_t write_now(const ConstBuffers& buffers, beast::error_code& ec) {
        beast::buffers_suffix<ConstBuffers> rest{buffers};
        std::size_t total = 0;
        record_storage storage;
        while (net::buffer_size(rest) > 0) {
            const auto chunk = linearised(rest, storage);
            const auto n = write_some_now(chunk.data(), chunk.size(), ec);
            total += n;
            if (ec || n == 0) return total;
            rest.consume(n);
        }
        return total;
    }

    /// The handshake with the server's flights dribbled, `bytes` (256 at most) every `every`
    /// (the handshake-slow case): OpenSSL writes them to memory, and this sends them. Gives
    /// up with timed_out when a pause would end after `until` (the header deadline).
    net::awaitable<beast::error_code> slow_handshake(std::size_t bytes, std::chrono::milliseconds every,
                                                     std::chrono::steady_clock::time_point until);

    /// TLS 1.3's KeyUpdate, asking the client to update its keys too (RFC 8446 §4.6.3), sent
    /// now; the client's own arrives with its next bytes. Arm a deadline first.
    net::awaitable<beast::error_code> update_keys();
    /// TLS 1.2's renegotiation, started by the server (RFC 5246 §7.4.1.1): a HelloRequest,
    /// then the client's new handshake, read and answered until it completes. A client that
    /// declines (a no_renegotiation alert) or sends data instead ends it. Arm a deadline first.
    net::awaitable<beast::error_code> renegotiate();

    /// The alert `description` sealed by teapot under the current write keys and sent past
    /// OpenSSL (tls/sealed_alert.hpp): nothing may be sent on this stream afterwards, but a
    /// FIN. operation_not_supported when the keys or the cipher do not allow it; arm a deadline.
    net::awaitable<beast::error_code> send_alert(unsigned char description);

    /// close_notify (RFC 8446 §6.1), without waiting for the client's; arm a deadline first.
    net::awaitable<void> send_close_notify();

    /// The end of a WebSocket over TLS, as Beast ends one over TCP: close_notify, a FIN,
    /// then what the client still sends (64 KiB at most) until its FIN, then close. The
    /// WebSocket's own timeout closes the socket if the client never ends.
    net::awaitable<void> teardown();

private:
    enum class io_result { done, want_read, want_write, failed };
    using record_storage = std::array<char, 16 * 1024>;  ///< a TLS record's plaintext at most

    /// What one SSL_write takes from `buffers`: the first buffer when it fills a record alone,
    /// else up to a record's worth of them copied together, so that a head and a small body go
    /// in one record and one send, not two (as Asio's ssl::stream linearises 8 KiB). The same
    /// buffers give the same bytes: a retry after a short write carries what OpenSSL requires.
    template <typename ConstBuffers>
    static net::const_buffer linearised(const ConstBuffers& buffers, record_storage& storage) {
        net::const_buffer first;
        for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers); ++it) {
            first = *it;
            if (first.size() > 0) break;
        }
        if (first.size() >= storage.size() || first.size() == net::buffer_size(buffers)) return first;
        return {storage.data(), net::buffer_copy(net::buffer(storage), buffers)};
    }

    /// One SSL_read_ex or SSL_write_ex; `n` and `ec` say what it did.
    io_result read_once(void* data, std::size_t size, std::size_t& n, beast::error_code& ec);
    io_result write_once(const void* data, std::size_t size, std::size_t& n, beast::error_code& ec);
    std::size_t write_some_now(const void* data, std::size_t size, beast::error_code& ec);
    static io_result closed(beast::error_code& ec);
    /// Repeats `call` (an OpenSSL call returning 1 when done) while it wants the socket.
    template <typename Call>
    net::awaitable<beast::error_code> until_done(Call call);
    /// One OpenSSL _ex call (`call` returns its result), unless the socket is closed.
    template <typename Call>
    io_result call_once(Call call, beast::error_code& ec);

    // A read or write: try OpenSSL; when it wants the socket readable or writable, wait for
    // that and try again. A result that needed no wait is posted, as Asio's sockets do, so a
    // caller never resumes inside its own initiating call.
    template <typename Buffers, bool Reading>
    struct io_op {
        tls_stream* stream;
        Buffers buffers;
        bool waited = false;
        bool posted = false;
        beast::error_code result{};
        std::size_t transferred = 0;

        template <typename Self>
        void operator()(Self& self, beast::error_code wait_ec = {}) {
            if (posted) return self.complete(result, transferred);
            if (wait_ec) return self.complete(wait_ec, 0);
            std::size_t n = 0;
            beast::error_code ec;
            io_result r = io_result::done;
            if constexpr (Reading) {
                auto first = first_buffer();
                if (first.size() > 0) r = stream->read_once(first.data(), first.size(), n, ec);
            } else {
                record_storage storage;
                const auto chunk = linearised(buffers, storage);
                if (chunk.size() > 0) r = stream->write_once(chunk.data(), chunk.size(), n, ec);
            }
            if (r == io_result::want_read || r == io_result::want_write) {
                waited = true;
                stream->socket_.async_wait(r == io_result::want_read ? tcp::socket::wait_read : tcp::socket::wait_write,
                                           std::move(self));
                return;
            }
            if (waited) return self.complete(ec, n);
            posted = true;
            result = ec;
            transferred = n;
            net::post(stream->get_executor(), std::move(self));
        }

        net::mutable_buffer first_buffer() const {
            for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers); ++it) {
                net::mutable_buffer b = *it;
                if (b.size() > 0) return b;
            }
            return {};
        }
    };

    tcp::socket socket_;
    SSL* ssl_ = nullptr;
    tls::write_keys keys_;  ///< OpenSSL's callbacks point here: re-pointed on a move
};

// Beast's WebSocket closes its next layer through these (found by argument-dependent lookup).
void teardown(beast::role_type role, tls_stream& stream, beast::error_code& ec);

template <typename TeardownHandler>
void async_teardown(beast::role_type /*role*/, tls_stream& stream, TeardownHandler&& handler) {
    net::co_spawn(stream.get_executor(), stream.teardown(),
                  [h = std::forward<TeardownHandler>(handler)](std::exception_ptr) mutable { h(beast::error_code{}); });
}

}  // namespace teapot::detail

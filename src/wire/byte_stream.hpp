#pragma once
// The bytes of one connection: a TCP socket, or a TLS stream over one (docs/design.md,
// "Layers"). The connection, the plan writer, the faults and the watched wait read,
// write and break the connection only through this class, so the second transport
// needed no second copy of them.

#include "wire/net.hpp"
#include "wire/tls_stream.hpp"

#include <boost/asio/ssl/context.hpp>

#include <cstddef>
#include <memory>
#include <utility>

namespace teapot::detail {

/// The end of what a peer sends: a FIN, or over TLS a FIN without close_notify
/// (OpenSSL's "unexpected eof", which a client that closes abruptly causes).
bool is_end_of_stream(const beast::error_code& ec) noexcept;

class byte_stream {
public:
    using executor_type = tcp::socket::executor_type;

    /// `tls` null: plain TCP; else a TLS server stream of that context (handshake() first).
    byte_stream(tcp::socket socket, net::ssl::context* tls);

    executor_type get_executor() noexcept { return socket().get_executor(); }
    bool is_tls() const noexcept { return tls_ != nullptr; }

    /// Plain TCP becomes a TLS server stream of `tls` over the same socket (the first byte
    /// said TLS: --tls-on-plain-port); handshake() next. Plain only, before any read.
    void start_tls(net::ssl::context& tls);

    /// The TLS handshake (nothing for plain TCP); arm a deadline first.
    net::awaitable<beast::error_code> handshake();

    // Asio's AsyncReadStream and AsyncWriteStream, for Beast's parser and net::async_write.
    // Both branches return the same type: the token's result for the same signature.
    template <typename MutableBuffers, typename Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        if (tls_) return tls_->async_read_some(buffers, std::forward<Token>(token));
        return socket_.async_read_some(buffers, std::forward<Token>(token));
    }
    template <typename ConstBuffers, typename Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        if (tls_) return tls_->async_write_some(buffers, std::forward<Token>(token));
        return socket_.async_write_some(buffers, std::forward<Token>(token));
    }

    /// Sends what the transport takes now, without waiting: 0 bytes (and no error) when
    /// it would block. A response is small and the send buffer empty, so this is nearly
    /// always all of it, without a trip through the event loop (plan_writer).
    template <typename ConstBuffers>
    std::size_t write_now(const ConstBuffers& buffers, beast::error_code& ec) {
        if (tls_) return tls_->write_now(buffers, ec);
        const auto n = socket_.write_some(buffers, ec);
        if (ec == net::error::would_block || ec == net::error::try_again) {
            ec = {};
            return 0;
        }
        return n;
    }

    /// Ends the pending reads and writes (a deadline passed, or the server drains).
    void cancel() noexcept;
    /// The end of what this side sends: over TLS the close_notify alert first (RFC 8446
    /// §6.1: without it a client may take the end for a truncation), then a FIN: the
    /// client reads what was sent, then the end of the stream. Arm a deadline first:
    /// the client may not read the alert.
    net::awaitable<void> shutdown_send();
    /// A FIN and a close, no close_notify before them: over TLS, the end that a truncation
    /// attack forges (the tls-no-close-notify fault).
    void close_without_close_notify() noexcept;
    /// The tls- faults' handshake messages (tls_stream.hpp); over plain TCP, operation_not_supported.
    net::awaitable<beast::error_code> update_keys();
    net::awaitable<beast::error_code> renegotiate();
    net::awaitable<beast::error_code> send_tls_alert(unsigned char description);
    /// Neither side sends or receives again: 444's close without a byte (no alert either).
    void shutdown_both() noexcept;
    void close() noexcept;
    /// An RST instead of a FIN (SO_LINGER 0, then close): the reset fault.
    void reset() noexcept;

    /// The TCP socket beneath, for what only it can tell: the peer's address, and a
    /// peek that tells the client's FIN or RST from the bytes of its next request.
    tcp::socket& socket() noexcept { return tls_ ? tls_->next_layer() : socket_; }
    /// The TLS stream, for what its handshake settled; null over plain TCP.
    tls_stream* tls() noexcept { return tls_.get(); }
    /// Hands the TCP socket over (the WebSocket echo takes the connection whole). Plain only.
    tcp::socket release() && noexcept { return std::move(socket_); }
    /// Hands the TLS stream over. TLS only.
    std::unique_ptr<tls_stream> release_tls() && noexcept { return std::move(tls_); }

private:
    // A plain socket, not beast::tcp_stream: teapot times its reads and writes itself
    // (io_deadline.hpp), and tcp_stream's three timers cost each connection about
    // 500 bytes of heap (docs/design.md, "The hot path"). Over TLS, the socket is the
    // TLS stream's, and socket_ is left empty.
    tcp::socket socket_;
    std::unique_ptr<tls_stream> tls_;
};

}  // namespace teapot::detail

#pragma once
// The bytes of one connection: a TCP socket today, and the seam where a TLS
// stream comes next (docs/design.md, "Layers"). The connection, the plan writer,
// the faults and the watched wait read, write and break the connection only
// through this class, so a second transport needs no second copy of them.

#include "wire/net.hpp"

#include <cstddef>
#include <utility>

namespace teapot::detail {

class byte_stream {
public:
    using executor_type = tcp::socket::executor_type;

    explicit byte_stream(tcp::socket socket);

    executor_type get_executor() noexcept { return socket_.get_executor(); }

    // Asio's AsyncReadStream and AsyncWriteStream, for Beast's parser and net::async_write.
    template <typename MutableBuffers, typename Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token) {
        return socket_.async_read_some(buffers, std::forward<Token>(token));
    }
    template <typename ConstBuffers, typename Token>
    auto async_write_some(const ConstBuffers& buffers, Token&& token) {
        return socket_.async_write_some(buffers, std::forward<Token>(token));
    }

    /// Sends what the transport takes now, without waiting: 0 bytes (and no error) when
    /// it would block. A response is small and the send buffer empty, so this is nearly
    /// always all of it, without a trip through the event loop (plan_writer).
    template <typename ConstBuffers>
    std::size_t write_now(const ConstBuffers& buffers, beast::error_code& ec) {
        const auto n = socket_.write_some(buffers, ec);
        if (ec == net::error::would_block || ec == net::error::try_again) {
            ec = {};
            return 0;
        }
        return n;
    }

    /// Ends the pending reads and writes (a deadline passed, or the server drains).
    void cancel() noexcept;
    /// A FIN: the client reads what was sent, then the end of the stream.
    void shutdown_send() noexcept;
    /// Neither side sends or receives again: 444's close without a byte.
    void shutdown_both() noexcept;
    void close() noexcept;
    /// An RST instead of a FIN (SO_LINGER 0, then close): the reset fault.
    void reset() noexcept;

    /// The TCP socket beneath, for what only it can tell: the peer's address, and a
    /// peek that tells the client's FIN or RST from the bytes of its next request.
    tcp::socket& socket() noexcept { return socket_; }
    /// Hands the socket over (the WebSocket echo takes the connection whole).
    tcp::socket release() && noexcept { return std::move(socket_); }

private:
    // A plain socket, not beast::tcp_stream: teapot times its reads and writes itself
    // (io_deadline.hpp), and tcp_stream's three timers cost each connection about
    // 500 bytes of heap (docs/design.md, "The hot path").
    tcp::socket socket_;
};

}  // namespace teapot::detail

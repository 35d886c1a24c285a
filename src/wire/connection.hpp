#pragma once
// One client connection: read a request, route it, write the plan, and again
// while the connection is kept alive. Pipelined requests wait in the read
// buffer and are answered in order, one at a time.

#include "handlers/handler_context.hpp"
#include "log/server_log.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"
#include "tls/cases.hpp"
#include "wire/body_budget.hpp"
#include "wire/byte_stream.hpp"
#include "wire/h2_session.hpp"
#include "wire/io_deadline.hpp"
#include "wire/net.hpp"
#include "wire/plan_writer.hpp"
#include "wire/request_parser.hpp"

#include <teapot/options.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

namespace teapot::detail {

class connection_tracker;
class h2_connection;

/// What every connection reads and nobody changes once the server runs.
struct connection_config {
    limits request_limits;
    std::shared_ptr<body_budget> bodies;  ///< request_limits.max_body_memory, shared by every connection
    handler_context handlers;
    server_log log;
    std::string server_header;  ///< "teapot/<version>"
    /// Null: plain HTTP. Else HTTPS: each listener has a config of its own.
    std::shared_ptr<net::ssl::context> tls;
    /// Plain HTTP's listener with --tls-on-plain-port: a connection whose first byte opens a
    /// TLS handshake record (0x16) is served over TLS with this context. Null: never.
    std::shared_ptr<net::ssl::context> tls_by_first_byte{};
    /// A TLS case's listener that breaks the handshake instead (tls/cases.hpp).
    tls::handshake_fault handshake_fault{};
    /// HTTP/2 (wire/h2_connection): h2 when ALPN chose it, h2c when a plain connection opens with
    /// the preface. False: --no-http2.
    bool http2 = true;
    std::uint32_t http2_max_streams = 100;  ///< SETTINGS_MAX_CONCURRENT_STREAMS
    /// The h2-settings-no-ack case's listener: every connection's SETTINGS go unacknowledged.
    bool withhold_settings_acks = false;
};

class connection : public std::enable_shared_from_this<connection> {
public:
    /// `peer`: the address accept() gave (a getpeername less per connection, two before).
    connection(tcp::socket socket, const tcp::endpoint& peer, std::shared_ptr<const connection_config> config,
               connection_tracker& tracker);
    ~connection();

    void start();

    /// Asks the connection to finish: an idle connection closes now, a busy one
    /// after its current response. Safe from any thread.
    void drain();

private:
    net::awaitable<void> run(std::shared_ptr<connection> self);
    /// The TLS handshake, by the first request's header deadline; false when it failed.
    net::awaitable<bool> handshake();
    /// --tls-on-plain-port: waits for the first byte under the header deadline, and turns the
    /// stream to TLS when it opens a handshake record. False when the client left or timed out first.
    net::awaitable<bool> tls_if_first_byte_says();
    net::awaitable<bool> wait_for_request(std::chrono::milliseconds timeout);
    /// Header, checks, 100-continue, content; false when the connection is done.
    net::awaitable<bool> read_request(request_parser& parser, body_charge& charge);
    /// Routes and writes the answer; false when the connection is done.
    net::awaitable<bool> respond(request_parser& parser);
    /// Answers an early response before the body is read; true when it did (the connection is then done).
    net::awaitable<bool> answer_before_body(const request_parser& parser);
    wire_context wire_for(unsigned version, bool keep_alive);
    /// Feeds the parser what the buffer holds; true when that finished the header (or,
    /// without header_only, the message), or failed (then `ec` says why).
    bool parse_buffered(request_parser& parser, bool header_only, beast::error_code& ec);
    /// Reads until the header is whole (after parse_buffered found it was not), under its deadline.
    net::awaitable<std::tuple<beast::error_code, std::size_t>> read_rest_of_header(request_parser& parser);
    /// The content, under its deadline.
    /// Each part read is charged to the body budget first: `charge.refused()` says when it had no room.
    net::awaitable<std::tuple<beast::error_code, std::size_t>> read_body(request_parser& parser, body_charge& charge);
    /// GET /__teapot/wait: until the journal has served what `plan.wait` asks, or its
    /// timeout; then `plan` becomes the answer. False when the client left meanwhile.
    net::awaitable<bool> wait_on_journal(const request& req, response_plan& plan,
                                         std::chrono::steady_clock::time_point started);
    /// GET /__teapot/events (the dashboard's): the head, then events until one side ends it.
    net::awaitable<void> serve_event_stream(const request& req, const response_plan& plan,
                                            std::chrono::steady_clock::time_point started);
    /// 444 (close without a byte) and the WebSocket echo; false: the connection is done.
    net::awaitable<bool> respond_without_message(request_parser& parser, const request& req, const response_plan& plan,
                                                 std::optional<std::uint64_t> entry,
                                                 std::chrono::steady_clock::time_point started);
    /// What was read and not yet parsed.
    std::string_view buffered() const;
    /// Drops the empty lines (CRLF) that precede a request line in the buffer.
    void skip_empty_lines();
    /// An error answer to what `parser` read, then a lingering close; `retry_after_s`: a
    /// Retry-After field. It carries CORS fields as routed answers do (not the admin API's).
    net::awaitable<void> reject(const request_parser& parser, int status, const std::string& message,
                                std::optional<unsigned> retry_after_s = std::nullopt);
    /// A read that failed (`ec`): the error answer it deserves, or, when the client simply
    /// left or timed out, a log line saying `when` ("closed before a request").
    net::awaitable<void> reject_or_log(const request_parser& parser, beast::error_code ec, std::string_view when);
    /// 503 with Retry-After: this request's content would pass --max-body-memory now.
    net::awaitable<void> reject_for_body_memory(const request_parser& parser);
    net::awaitable<void> lingering_close();
    /// close_notify (TLS) and a FIN, under a deadline, then close.
    net::awaitable<void> close_gracefully();
    /// The request as the router sees it, with what the connection knows of its client.
    request describe(const request_parser& parser) const;
    /// HTTP/2 from here on (ALPN said h2, the preface came, or an upgrade): `received` is what was read of it.
    net::awaitable<void> serve_http2(std::string received, std::optional<h2_upgrade> upgrade = std::nullopt);
    /// Upgrade: h2c (RFC 7540 §3.2): 101, then HTTP/2, `req` answered as stream 1.
    net::awaitable<void> upgrade_to_http2(const request& req, std::string settings);
    /// A plain connection's first bytes may be HTTP/2's preface: reads until they are whole
    /// or differ; true when they are the preface.
    net::awaitable<bool> opens_with_preface();
    /// An exception left run(): logged, and this connection only is closed.
    void end_after_exception(std::exception_ptr failure);

    std::shared_ptr<const connection_config> config_;
    connection_tracker& tracker_;
    std::uint64_t id_;
    std::string peer_;
    bool from_loopback_;
    std::shared_ptr<const tls_facts> tls_facts_;  ///< after the handshake; null over plain HTTP
    byte_stream stream_;
    io_deadline deadline_;  ///< for every read and write of stream_
    beast::flat_buffer buffer_;
    // Touched only on the connection's own executor.
    bool draining_ = false;
    /// The timer of a /__teapot/wait in progress, or of a handshake-hang: drain() cancels it.
    std::weak_ptr<net::steady_timer> wait_timer_;
    bool idle_ = false;
    /// While the connection's first request is read: when its header is due (the
    /// header timeout after the accept). Empty afterwards: a later header is due the
    /// header timeout after its first byte.
    std::optional<io_deadline::clock::time_point> first_header_due_;
    /// Set once the connection speaks HTTP/2: drain() tells it.
    std::weak_ptr<h2_connection> h2_;
};

}  // namespace teapot::detail

#include "wire/connection.hpp"

#include "admin/admin_access.hpp"
#include "admin/admin_handler.hpp"
#include "handlers/cors.hpp"
#include "handlers/error_plan.hpp"
#include "journal/journal.hpp"
#include "journal/metrics.hpp"
#include "plan/request.hpp"
#include "router/router.hpp"
#include "tls/session_facts.hpp"
#include "util/byte_size.hpp"
#include "util/duration.hpp"
#include "wire/connection_tracker.hpp"
#include "wire/event_stream.hpp"
#include "wire/exchange_record.hpp"
#include "wire/h2_connection.hpp"
#include "wire/h2c_upgrade.hpp"
#include "wire/handshake_fault_writer.hpp"
#include "wire/head_bytes.hpp"
#include "wire/plan_writer.hpp"
#include "wire/request_checks.hpp"
#include "wire/request_view.hpp"
#include "wire/watched_wait.hpp"
#include "wire/websocket_echo.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <iterator>

namespace teapot::detail {
namespace http = beast::http;
using clock_type = std::chrono::steady_clock;

namespace {

// Reading a request we will not answer normally stops here; drain at most this
// much before closing, so that the client reads our error instead of an RST.
constexpr std::size_t lingering_bytes = 1024 * 1024;
constexpr std::chrono::seconds lingering_time{2};

std::string peer_of(const tcp::endpoint& ep) {
    if (ep.port() == 0) return "-";  // accept gave no address
    auto address = ep.address().to_string();
    return (ep.address().is_v6() ? "[" + address + "]" : address) + ":" + std::to_string(ep.port());
}

// An access line's duration: the clock is read for it only when access lines are
// written (not with --quiet), as a clock read is a visible part of a request's cost.
clock_type::time_point access_start(const server_log& log) {
    return log.writes_access() ? clock_type::now() : clock_type::time_point{};
}

}  // namespace

connection::connection(tcp::socket socket, const tcp::endpoint& peer, std::shared_ptr<const connection_config> config,
                       connection_tracker& tracker)
    : config_(std::move(config)),
      tracker_(tracker),
      id_(tracker.next_id()),
      peer_(peer_of(peer)),
      from_loopback_(peer.port() != 0 && is_loopback_peer(peer.address())),
      stream_(std::move(socket), config_->tls.get()),
      deadline_([this] { stream_.cancel(); }),
      buffer_(read_buffer_limit(config_->request_limits)) {}

connection::~connection() { tracker_.remove(id_); }

void connection::start() {
    const bool serving = tracker_.add(id_, weak_from_this());
    // No exception may end the process: one that leaves run() (Beast throws for what it
    // cannot hold, and bad_alloc can come from anywhere) costs this connection only.
    net::co_spawn(stream_.get_executor(), run(shared_from_this()),
                  [self = shared_from_this()](std::exception_ptr failure) {
                      if (failure) self->end_after_exception(failure);
                  });
    if (!serving) drain();  // accepted while the server stops: it closes once idle
}

void connection::end_after_exception(std::exception_ptr failure) {
    std::string what = "unknown exception";
    try {
        std::rethrow_exception(failure);
    } catch (const std::exception& e) {
        what = e.what();
    } catch (...) {
    }
    config_->log.warn("connection " + std::to_string(id_) + " (" + peer_ + ") closed after an internal error: " + what);
    stream_.close();
}

void connection::drain() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
        self->draining_ = true;
        if (self->idle_) self->stream_.cancel();
        if (auto waiting = self->wait_timer_.lock()) waiting->cancel();  // a /__teapot/wait answers now
        if (auto h2 = self->h2_.lock()) h2->drain();
    });
}

net::awaitable<bool> connection::wait_for_request(std::chrono::milliseconds timeout) {
    // Between requests a keep-alive connection only waits for a first byte;
    // the header then gets its own, shorter deadline (a slow-loris client is dropped).
    if (draining_) co_return false;
    idle_ = true;
    auto armed = deadline_.arm(timeout);
    // 1 KiB takes a usual request whole, and 10 000 idle connections cost little; why not a
    // wait for readability first (one more epoll_ctl a request): docs/design.md, "The hot path".
    auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(1024), use_tuple_awaitable);
    idle_ = false;
    if (ec) co_return false;
    buffer_.commit(n);
    co_return true;
}

net::awaitable<void> connection::reject(const request_parser& parser, int status, const std::string& message,
                                        std::optional<unsigned> retry_after_s) {
    auto plan = error_plan(status, message, nullptr);
    if (retry_after_s) plan.final_head.set("Retry-After", std::to_string(*retry_after_s));
    // A browser would report a CORS failure instead of this status (issue 14): what was
    // read of the request (its Origin, its target) decides the fields, as routing would.
    // The message holds the fields parsed so far, even when the header section was refused.
    const auto req = view_of(parser);
    if (!is_admin_request(req, config_->handlers)) add_cors_headers(req, plan.final_head);
    auto started = access_start(config_->log);
    auto out = co_await write_plan(stream_, plan, wire_for(11, false));
    config_->log.access({id_, "-", "-", status, out.bytes, elapsed_ms(started), peer_});
    if (auto* counters = config_->handlers.counters) counters->count(status, {}, {}, {}, req.version);
    if (!out.ec) co_await lingering_close();
}

net::awaitable<void> connection::reject_or_log(const request_parser& parser, beast::error_code ec,
                                               std::string_view when) {
    if (auto r = rejection_for_read_error(ec, parser, buffered(), config_->request_limits))
        co_await reject(parser, r->status, r->message);
    else
        config_->log.connection_event(id_, peer_, std::string{when} + ": " + ec.message());
}

net::awaitable<void> connection::reject_for_body_memory(const request_parser& parser) {
    // 503, not 413: this body may be fine, the others in flight leave it no room now.
    co_await reject(parser, 503,
                    "request bodies held at once would pass --max-body-memory (" +
                        format_byte_size(config_->request_limits.max_body_memory) + "): try again shortly",
                    1);
}

net::awaitable<void> connection::lingering_close() {
    // RFC 9112 §9.6: close in stages. Unread request bytes would make the kernel
    // send an RST that can destroy the response before the client reads it.
    auto armed = deadline_.arm(lingering_time);
    co_await stream_.shutdown_send();
    beast::error_code ec;
    std::size_t drained = 0;
    // Read beneath TLS: after our close_notify, OpenSSL reads nothing more, and the bytes are dropped anyway.
    while (!ec && drained < lingering_bytes) {
        buffer_.clear();
        auto [read_ec, n] = co_await stream_.socket().async_read_some(buffer_.prepare(16384), use_tuple_awaitable);
        ec = read_ec;
        drained += n;
    }
    stream_.close();
}

net::awaitable<void> connection::close_gracefully() {
    auto armed = deadline_.arm(lingering_time);
    co_await stream_.shutdown_send();
    stream_.close();
}

net::awaitable<bool> connection::handshake() {
    auto armed = deadline_.arm_until(*first_header_due_);
    const auto& slow = config_->handshake_fault;
    // An if, not a ?: of two co_awaits: with ?:, g++ 12's build lost the handshake's deadline
    // (the header-deadline test failed; it passes with this).
    beast::error_code ec;
    if (slow.what == tls::handshake_fault::kind::slow)
        ec = co_await stream_.tls()->slow_handshake(slow.slow_bytes, slow.slow_every, *first_header_due_);
    else
        ec = co_await stream_.handshake();
    ec = deadline_.explain(ec);
    if (ec) {
        config_->log.connection_event(id_, peer_, "TLS handshake failed: " + ec.message());
        co_return false;
    }
    tls_facts_ = std::make_shared<const tls_facts>(tls::facts_of(stream_.tls()->native_handle()));
    co_return true;
}

net::awaitable<bool> connection::tls_if_first_byte_says() {
    auto armed = deadline_.arm_until(*first_header_due_);
    auto& socket = stream_.socket();
    for (;;) {
        auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, use_tuple_awaitable);
        if (ec) co_return false;
        // A peek: plain HTTP's parser, or OpenSSL, reads the byte again.
        unsigned char first = 0;
        beast::error_code peek_ec;
        const auto n = socket.receive(net::buffer(&first, 1), tcp::socket::message_peek, peek_ec);
        if (peek_ec == net::error::would_block || peek_ec == net::error::try_again) continue;
        if (peek_ec || n == 0) co_return false;
        // RFC 8446 §5.1: a TLS connection opens with a handshake record, content type 22; no
        // HTTP request line starts with that control character.
        if (first == 0x16) stream_.start_tls(*config_->tls_by_first_byte);
        co_return true;
    }
}

bool connection::parse_buffered(request_parser& parser, bool header_only, beast::error_code& ec) {
    // Most requests arrive whole in one read: Beast's parser takes what is buffered
    // now. http::async_read_header would do the same, but post its completion: one
    // more trip through the event loop per request.
    parser.eager(!header_only);
    // RFC 9112 §2.2: a server SHOULD ignore empty lines (CRLF) before a request line;
    // some clients send one after a POST body. Beast's parser does not: they go here.
    if (!parser.got_some()) skip_empty_lines();
    auto done = [&] { return header_only ? parser.is_header_done() : parser.is_done(); };
    while (!done() && buffer_.size() > 0) {
        const auto used = parser.feed(buffered(), ec);
        buffer_.consume(used);
        if (ec == http::error::need_more) {
            ec = {};  // a part of the header, or of a chunk: read on
            break;
        }
        if (ec || used == 0) break;
    }
    return ec || done();
}

net::awaitable<std::tuple<beast::error_code, std::size_t>> connection::read_rest_of_header(request_parser& parser) {
    // Called as soon as a read leaves the header incomplete, so "now" is the request's
    // first byte, or nearly; the first request's deadline was fixed at the accept.
    auto armed = first_header_due_ ? deadline_.arm_until(*first_header_due_)
                                   : deadline_.arm(config_->request_limits.header_timeout);
    co_return co_await http::async_read_header(stream_, buffer_, parser, use_tuple_awaitable);
}

net::awaitable<std::tuple<beast::error_code, std::size_t>> connection::read_body(request_parser& parser,
                                                                                 body_charge& charge) {
    // A chunked body is charged as it grows (one with Content-Length was charged whole before).
    // Parsed first, then charged: the bytes are in memory already, and a refused body is not kept.
    auto charged = [&] { return charge.cover(parser.get().body().size()); };
    beast::error_code ec;
    const bool finished = parse_buffered(parser, false, ec);
    if (!charged()) co_return std::tuple{net::error::no_buffer_space, std::size_t{0}};
    if (finished) co_return std::tuple{ec, std::size_t{0}};
    // As http::async_read does, but through parse_buffered: Beast's loop would hand its
    // parser a long last-chunk line to rescan on every read (request_parser::feed).
    auto armed = deadline_.arm(config_->request_limits.body_timeout);
    std::size_t total = 0;
    for (;;) {
        // The bounded buffer is full and the parser still needs more: a line too long.
        if (buffer_.size() == buffer_.max_size()) co_return std::tuple{http::error::buffer_overflow, total};
        const auto room = std::min<std::size_t>(65536, buffer_.max_size() - buffer_.size());
        auto [read_ec, n] = co_await stream_.async_read_some(buffer_.prepare(room), use_tuple_awaitable);
        if (read_ec) co_return std::tuple{is_end_of_stream(read_ec) ? http::error::partial_message : read_ec, total};
        buffer_.commit(n);
        total += n;
        const bool done = parse_buffered(parser, false, ec);
        if (!charged()) co_return std::tuple{net::error::no_buffer_space, total};
        if (done) co_return std::tuple{ec, total};
    }
}

// The shared_ptr parameter keeps the connection alive for as long as the coroutine runs.
net::awaitable<void> connection::run(std::shared_ptr<connection> /*self*/) {
    const auto& limits = config_->request_limits;
    // Every deadline below is watched by this thread's sweeper, a quarter of the shortest one at a time.
    auto shortest = std::min({limits.header_timeout, limits.idle_timeout, limits.body_timeout, limits.write_timeout,
                              std::chrono::duration_cast<std::chrono::milliseconds>(lingering_time)});
    deadline_.watch(net::query(stream_.get_executor(), net::execution::context), shortest / 4);
    // Leave the sweeper on this thread, however run() ends: the last reference to the
    // connection may be dropped on another (the listener's, when a connection ends before
    // the accept loop lets go of it, or stop()'s), and the sweeper is this thread's
    // alone (ThreadSanitizer saw ~io_deadline race with the sweep).
    struct leave_sweeper {
        io_deadline& deadline;
        ~leave_sweeper() { deadline.unwatch(); }
    } leaving{deadline_};
    first_header_due_ = io_deadline::clock::now() + limits.header_timeout;
    if (config_->handshake_fault.replaces_handshake()) {
        auto what = co_await break_handshake(stream_, config_->handshake_fault, deadline_, limits.header_timeout,
                                             config_->handlers.max_delay, wait_timer_);
        config_->log.connection_event(id_, peer_, what);
        co_return;
    }
    if (config_->tls_by_first_byte && !stream_.is_tls() && !co_await tls_if_first_byte_says()) {
        stream_.close();
        co_return;
    }
    if (stream_.is_tls() && !co_await handshake()) {
        stream_.close();
        co_return;
    }
    if (config_->http2 && tls_facts_ && tls_facts_->alpn == "h2") {
        co_await serve_http2({});
        co_return;
    }
    for (;;) {
        if (buffer_.size() == 0 &&
            !co_await wait_for_request(first_header_due_ ? limits.header_timeout : limits.idle_timeout))
            break;
        if (config_->http2 && first_header_due_ && !stream_.is_tls() && co_await opens_with_preface()) {
            co_await serve_http2(std::string{buffered()});
            co_return;
        }
        body_charge charge{config_->bodies.get()};  // declared before the parser: given back after its body is freed
        request_parser parser;
        parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
        parser.trailer_limit(limits.max_header_bytes);
        parser.field_limit(limits.max_header_fields);
        parser.body_limit(limits.max_body_bytes);
        if (!co_await read_request(parser, charge)) break;
        first_header_due_.reset();
        if (!co_await respond(parser)) break;
    }
    co_await close_gracefully();
}

net::awaitable<bool> connection::read_request(request_parser& parser, body_charge& charge) {
    const auto& limits = config_->request_limits;
    // Most requests are whole in the buffer already: the header is parsed here, and a
    // coroutine reads on only when it is not (one coroutine call less per request).
    beast::error_code header_ec;
    if (!parse_buffered(parser, true, header_ec))
        std::tie(header_ec, std::ignore) = co_await read_rest_of_header(parser);
    if (auto ec = deadline_.explain(header_ec)) {
        co_await reject_or_log(parser, ec, "closed before a request");
        co_return false;
    }
    if (auto r = rejection_for_head(parser, limits)) {
        co_await reject(parser, r->status, r->message);
        co_return false;
    }
    // RFC 9110 §10.1.1: a server may answer before the content instead of sending 100.
    if (!parser.is_done() && co_await answer_before_body(parser)) co_return false;
    // Announced content is charged whole before it is read (and before 100 Continue).
    if (auto length = parser.content_length(); !parser.is_done() && length && !charge.cover(*length)) {
        co_await reject_for_body_memory(parser);
        co_return false;
    }
    // RFC 9110 §10.1.1: send 100 before reading the content, never to HTTP/1.0.
    if (!parser.is_done() && parser.get().version() >= 11 && !parser.get()[http::field::expect].empty()) {
        static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
        auto armed = deadline_.arm(limits.write_timeout);
        auto [wec, wn] = co_await net::async_write(stream_, net::buffer(continue_line), use_tuple_awaitable);
        if (wec) co_return false;
    }
    if (!parser.is_done()) {
        auto [body_ec, bn] = co_await read_body(parser, charge);
        if (charge.refused()) {
            co_await reject_for_body_memory(parser);
            co_return false;
        }
        if (auto ec = deadline_.explain(body_ec)) {
            co_await reject_or_log(parser, ec, "closed mid-request");
            co_return false;
        }
    }
    co_return true;
}

// Every local here lives in the coroutine frame while the answer waits (a delay, a
// slow client): what only some answers need is in coroutines of its own, so that
// 10 000 delayed requests hold small frames (docs/performance.md).
net::awaitable<bool> connection::respond(request_parser& parser) {
    const auto started = access_start(config_->log);
    const auto& msg = parser.get();
    auto req = describe(parser);
    // Upgrade: h2c (curl --http2 on http://): the answer comes over HTTP/2, on stream 1.
    if (config_->http2 && req.has_header("Upgrade"))
        if (auto settings = h2c_upgrade_settings(req)) {
            co_await upgrade_to_http2(req, std::move(*settings));
            co_return false;
        }
    const auto received = std::chrono::system_clock::now();
    auto plan = route(req, config_->handlers);
    // The handlers have no logger: what they ignored of the request is told here, for a person at debug level.
    if (config_->log.writes_debug())
        if (const auto* ignored = plan.final_head.find("X-Teapot-Ignored-Params"))
            config_->log.connection_event(id_, peer_, "ignored query parameters (not knobs): " + *ignored);
    if (plan.action == response_plan::kind::wait_for_requests && !co_await wait_on_journal(req, plan, started))
        co_return false;
    if (plan.action == response_plan::kind::event_stream) {
        co_await serve_event_stream(req, plan, started);
        co_return false;
    }
    const auto entry = start_record(config_->handlers, req, plan, received);
    if (plan.action != response_plan::kind::respond)
        co_return co_await respond_without_message(parser, req, plan, entry, started);

    const bool keep_alive = msg.keep_alive() && !closes_after_answer(parser) && !plan.close_after && !draining_ &&
                            plan.fault.what != fault::kind::early_response;
    // A delayed answer may wait long, and thousands at once: what the rest of the answer
    // does not read is given back meanwhile. An empty read buffer (the next request
    // allocates it again); the request's header fields and their views, as the plan and
    // the journal entry are made (the method and the target, which the access line
    // shows, are kept apart from the fields by Beast).
    if (plan.delay.count() > 0) {
        if (buffer_.size() == 0) buffer_.shrink_to_fit();
        std::vector<std::pair<std::string_view, std::string_view>>{}.swap(req.headers);
        std::vector<std::pair<std::string_view, std::string_view>>{}.swap(req.trailers);
        parser.get().clear();
    }
    // The delay is waited here rather than in write_plan: one coroutine frame less
    // for each of thousands of delayed answers (docs/performance.md).
    const auto wire = wire_for(msg.version(), keep_alive);
    auto waited = wait_end::elapsed;
    if (plan.delay.count() > 0) waited = co_await wait_watching(stream_, std::min(plan.delay, wire.max_delay));
    write_outcome out;
    if (waited == wait_end::elapsed)
        out = co_await send_plan(stream_, plan, wire);
    else
        out = outcome_of_cut_wait(waited);
    const int status = logged_status(plan, out.client_gone);
    config_->log.access(
        {id_, req.method, req.target, status, out.bytes, elapsed_ms(started), peer_, fault_label(plan)});
    finish_record(config_->handlers, entry, plan, req.version, status, out.first_byte,
                  out.sent_at_once ? out.first_byte : std::nullopt);
    co_return !out.ec && !out.connection_closed && keep_alive && !draining_;
}

net::awaitable<bool> connection::respond_without_message(request_parser& parser, const request& req,
                                                         const response_plan& plan, std::optional<std::uint64_t> entry,
                                                         clock_type::time_point started) {
    const auto wait = std::min(plan.delay, config_->handlers.max_delay);
    if (plan.action == response_plan::kind::close_silently) {
        auto end = co_await wait_watching(stream_, wait);
        if (end == wait_end::elapsed) stream_.shutdown_both();
        int status = end == wait_end::client_gone ? 499 : 444;
        config_->log.access({id_, req.method, req.target, status, 0, elapsed_ms(started), peer_});
        finish_record(config_->handlers, entry, plan, req.version, status, std::nullopt);
        co_return false;
    }
    // websocket_echo: the handshake is the answer.
    config_->log.access({id_, req.method, req.target, 101, 0, elapsed_ms(started), peer_});
    finish_record(config_->handlers, entry, plan, req.version, 101, std::chrono::system_clock::now());
    if (co_await wait_watching(stream_, wait) == wait_end::elapsed)
        co_await run_websocket_echo(std::move(stream_), parser.release(), config_->server_header,
                                    config_->request_limits, config_->bodies.get());
    co_return false;
}

net::awaitable<void> connection::serve_event_stream(const request& req, const response_plan& plan,
                                                    clock_type::time_point started) {
    // Close-delimited (RFC 9112 §6.3): the stream lasts until one side ends it.
    std::string head;
    append_head(head, plan.final_head, config_->server_header,
                {.content_length = std::nullopt, .chunked = false, .connection = "close"});
    co_await stream_journal_events({stream_, deadline_, config_->request_limits.write_timeout, wait_timer_, draining_},
                                   *config_->handlers.journal, std::move(head));
    config_->log.access({id_, req.method, req.target, 200, 0, elapsed_ms(started), peer_});
}

net::awaitable<bool> connection::wait_on_journal(const request& req, response_plan& plan,
                                                 clock_type::time_point started) {
    const auto waiting = plan.wait;  // held: plan is replaced by the answer below
    const auto& wait = *waiting;
    const auto deadline = clock_type::now() + wait.timeout;
    // Counted by the journal, one completed entry at a time: this connection is woken (its wait's
    // timer cancelled, on its own executor) only when the count is reached.
    auto wake = [weak = weak_from_this(), ex = stream_.get_executor()] {
        net::post(ex, [weak] {
            if (auto self = weak.lock())
                if (auto timer = self->wait_timer_.lock()) timer->cancel();
        });
    };
    auto registration = config_->handlers.journal->wait(wait.filter, wait.count, std::move(wake));
    for (;;) {
        const auto served = registration.served();
        const auto now = clock_type::now();
        if (served >= wait.count || now >= deadline || draining_) {
            plan = wait_result(req, wait, served);
            co_return true;
        }
        // The socket is watched meanwhile, as for a delay: a client that leaves ends the wait
        // (and its registration) at once, instead of holding both until the timeout.
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
        if (co_await wait_watching(stream_, left, wait_timer_) == wait_end::client_gone) {
            config_->log.access({id_, req.method, req.target, 499, 0, elapsed_ms(started), peer_});
            co_return false;
        }
    }
}

wire_context connection::wire_for(unsigned version, bool keep_alive) {
    const auto& limits = config_->request_limits;
    return {version,
            keep_alive,
            config_->server_header,
            limits.write_timeout,
            config_->handlers.max_delay,
            limits.idle_timeout,
            &deadline_};
}

net::awaitable<bool> connection::answer_before_body(const request_parser& parser) {
    // A request whose answer is an early response (fault early-response) is answered
    // now, its body unread: the client is still uploading when the answer comes.
    auto started = access_start(config_->log);
    auto req = describe(parser);
    const auto received = std::chrono::system_clock::now();
    auto plan = route_before_body(req, config_->handlers);
    if (!plan) co_return false;
    const auto entry = start_record(config_->handlers, req, *plan, received);
    auto out = co_await write_plan(stream_, *plan, wire_for(parser.get().version(), false));
    config_->log.access({id_, req.method, req.target, logged_status(*plan, out.client_gone), out.bytes,
                         elapsed_ms(started), peer_, fault_label(*plan)});
    finish_record(config_->handlers, entry, *plan, req.version, logged_status(*plan, out.client_gone), out.first_byte);
    co_return true;
}

request connection::describe(const request_parser& parser) const {
    auto req = view_of(parser);
    req.peer = peer_;
    req.from_loopback = from_loopback_;
    req.tls = tls_facts_;
    return req;
}

namespace {
// RFC 9113 §3.4: what a client that knows the server speaks HTTP/2 sends first (h2c, prior knowledge).
constexpr std::string_view h2_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
}  // namespace

net::awaitable<bool> connection::opens_with_preface() {
    auto armed = deadline_.arm_until(*first_header_due_);
    for (;;) {
        const auto seen = buffered().substr(0, h2_preface.size());
        if (!h2_preface.starts_with(seen)) co_return false;  // HTTP/1 (a method named PRI is not a preface)
        if (seen.size() == h2_preface.size()) co_return true;
        auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(1024), use_tuple_awaitable);
        if (ec) co_return false;  // HTTP/1's parser then sees a partial request and answers as for one
        buffer_.commit(n);
    }
}

net::awaitable<void> connection::upgrade_to_http2(const request& req, std::string settings) {
    static constexpr std::string_view switching =
        "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n";
    h2_upgrade upgrade{std::move(settings), stream_of_http1(req, config_->bodies.get()), req.method == "HEAD"};
    {
        auto armed = deadline_.arm(config_->request_limits.write_timeout);
        auto [ec, n] = co_await net::async_write(stream_, net::buffer(switching), use_tuple_awaitable);
        if (ec) co_return;
    }
    co_await serve_http2(std::string{buffered()}, std::move(upgrade));
}

net::awaitable<void> connection::serve_http2(std::string received, std::optional<h2_upgrade> upgrade) {
    buffer_.clear();
    buffer_.shrink_to_fit();  // HTTP/2 reads into a buffer of its own
    auto h2 = std::make_shared<h2_connection>(stream_, deadline_, config_,
                                              h2_peer{id_, peer_, from_loopback_, tls_facts_}, shared_from_this());
    h2_ = h2;
    if (draining_) h2->drain();
    co_await h2->run(received, std::move(upgrade));
    co_await close_gracefully();
}

void connection::skip_empty_lines() {
    while (buffered().starts_with("\r\n")) buffer_.consume(2);
}

std::string_view connection::buffered() const {
    return {static_cast<const char*>(buffer_.data().data()), buffer_.size()};
}

}  // namespace teapot::detail

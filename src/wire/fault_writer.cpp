#include "wire/fault_writer.hpp"

#include "faults/answer_time.hpp"
#include "faults/garbage.hpp"
#include "wire/io_deadline.hpp"
#include "wire/watched_wait.hpp"

#include <boost/asio/write.hpp>

#include <algorithm>
#include <cstdio>

namespace teapot::detail {
namespace {

// How long an early response waits between its FIN and the close that resets the upload.
constexpr std::chrono::milliseconds early_response_linger{1000};

bool client_left(const beast::error_code& ec) {
    return ec == net::error::broken_pipe || ec == net::error::connection_reset || is_end_of_stream(ec);
}

net::awaitable<beast::error_code> write_all(byte_stream& stream, std::string_view bytes, write_outcome& out,
                                            const wire_context& wire) {
    auto armed = wire.deadline->arm(wire.write_timeout);
    auto [ec, n] = co_await net::async_write(stream, net::buffer(bytes.data(), bytes.size()), use_tuple_awaitable);
    out.bytes += n;
    if (client_left(ec)) out.client_gone = true;
    co_return wire.deadline->explain(ec);
}

using steady_clock = std::chrono::steady_clock;

// `bytes` in the pieces of `pace`, a watched pause between pieces, until `must_end` at the
// latest (then the connection is cut: an answer's time is bounded, faults/answer_time.hpp).
// False when the write failed, the client left or the time ran out.
net::awaitable<bool> write_paced(byte_stream& stream, std::string_view bytes, const pacing& pace, write_outcome& out,
                                 const wire_context& wire, steady_clock::time_point must_end) {
    while (!bytes.empty()) {
        auto piece = bytes.substr(0, pace.piece_length(bytes));
        bytes.remove_prefix(piece.size());
        if (auto ec = co_await write_all(stream, piece, out, wire)) {
            out.ec = ec;
            co_return false;
        }
        if (bytes.empty()) break;
        if (steady_clock::now() + std::min(pace.every, wire.max_delay) > must_end) {
            out.ec = net::error::timed_out;
            co_return false;
        }
        switch (co_await wait_watching(stream, std::min(pace.every, wire.max_delay))) {
            case wait_end::elapsed: break;
            case wait_end::client_gone: out.client_gone = true; [[fallthrough]];
            case wait_end::aborted: out.ec = net::error::operation_aborted; co_return false;
        }
    }
    co_return true;
}

net::awaitable<bool> write_maybe_paced(byte_stream& stream, std::string_view bytes, const std::optional<pacing>& pace,
                                       write_outcome& out, const wire_context& wire,
                                       steady_clock::time_point must_end) {
    if (pace) co_return co_await write_paced(stream, bytes, *pace, out, wire, must_end);
    if (bytes.empty()) co_return true;
    out.ec = co_await write_all(stream, bytes, out, wire);
    co_return !out.ec;
}

// FIN (after close_notify over TLS): the client reads everything sent, then end of stream.
net::awaitable<void> close_gracefully(byte_stream& stream, const wire_context& wire) {
    auto armed = wire.deadline->arm(wire.write_timeout);
    co_await stream.shutdown_send();
    stream.close();
}

// The body for bad-chunk: its first half as a valid chunk, then a chunk-size line that is not hex (RFC 9112 §7.1).
std::string bad_chunked_body(std::string_view body) {
    std::string out;
    if (!body.empty()) {
        auto half = body.substr(0, (body.size() + 1) / 2);
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", half.size());
        out.append(size).append(half).append("\r\n");
    }
    out.append("zz\r\n");
    return out;
}

// An application-data record (RFC 8446 §5.2; RFC 5246 §6.2.3) that no key decrypts: the
// header right, then 64 bytes of noise, enough for any suite's nonce, padding and tag. Not
// through OpenSSL, which would encrypt it properly: straight to the socket, once every record
// before it has been written whole.
net::awaitable<beast::error_code> write_undecryptable_record(byte_stream& stream, write_outcome& out,
                                                             const wire_context& wire) {
    const auto record = undecryptable_tls_record();
    auto armed = wire.deadline->arm(wire.write_timeout);
    auto [ec, n] = co_await net::async_write(stream.socket(), net::buffer(record), use_tuple_awaitable);
    out.bytes += n;
    co_return wire.deadline->explain(ec);
}

// The body bytes a fault keeps: what it names, one byte short of the body at most (a
// templated body may render shorter than the count), or its default share of the body.
std::string_view kept_part(std::string_view body, const fault& f, std::size_t by_default) {
    const auto kept = f.kept_bytes();
    if (!kept) return body.substr(0, by_default);
    return body.substr(0, body.empty() ? 0 : std::min(*kept, body.size() - 1));
}

}  // namespace

net::awaitable<write_outcome> break_connection(byte_stream& stream, const fault& f, const wire_context& wire) {
    write_outcome out;
    out.connection_closed = true;
    switch (f.what) {
        case fault::kind::reset: stream.reset(); break;
        case fault::kind::close: co_await close_gracefully(stream, wire); break;
        case fault::kind::hang: {
            // Never an answer: until the hang's own end, --max-delay at most, or until the client gives up.
            auto how_long = std::min(f.hang_for.value_or(wire.max_delay), wire.max_delay);
            auto end = co_await wait_watching(stream, how_long);
            out.client_gone = end == wait_end::client_gone;
            co_await close_gracefully(stream, wire);
            break;
        }
        case fault::kind::garbage: {
            auto bytes = garbage_bytes(f.bytes, f.garbage_seed);
            out.ec = co_await write_all(stream, bytes, out, wire);
            co_await close_gracefully(stream, wire);
            break;
        }
        default: break;
    }
    co_return out;
}

net::awaitable<write_outcome> write_faulty_response(byte_stream& stream, const response_plan& plan, std::string head,
                                                    std::string_view body, const wire_context& wire) {
    write_outcome out;
    const auto& f = plan.fault;
    // The connection waited out the delay: the rest of the answer's time is for its pacing.
    const auto must_end = steady_clock::now() + max_answer_time(wire.max_delay) - std::min(plan.delay, wire.max_delay);
    // An if, not a ?: of two co_awaits, which g++ 12 got wrong elsewhere (connection::handshake).
    bool head_sent = false;
    if (f.what == fault::kind::slow_headers)
        head_sent = co_await write_paced(stream, head, f.pace, out, wire, must_end);
    else
        head_sent = co_await write_maybe_paced(stream, head, {}, out, wire, must_end);
    if (!head_sent) co_return out;

    switch (f.what) {
        case fault::kind::truncate: {
            if (co_await write_maybe_paced(stream, kept_part(body, f, 0), plan.stream, out, wire, must_end)) {
                if (f.reset_at_end)
                    stream.reset();
                else
                    co_await close_gracefully(stream, wire);
            }
            out.connection_closed = true;
            co_return out;
        }
        case fault::kind::bad_chunk: {
            auto chunked = plan.omit_body ? std::string{} : bad_chunked_body(body);
            if (co_await write_maybe_paced(stream, chunked, plan.stream, out, wire, must_end))
                co_await close_gracefully(stream, wire);
            out.connection_closed = true;
            co_return out;
        }
        case fault::kind::wrong_length: {
            // The connection is out of step with its framing: hold it until the client gives up
            // (a larger length stalls it) or idles out, and serve nothing more on it.
            // The response is whole by then: a client leaving during the hold is not a 499.
            if (co_await write_maybe_paced(stream, body, plan.stream, out, wire, must_end)) {
                co_await wait_watching(stream, wire.idle_timeout);
                co_await close_gracefully(stream, wire);
            }
            out.connection_closed = true;
            co_return out;
        }
        case fault::kind::early_response: {
            // The request body stays unread. FIN first, so the client can read the answer; then,
            // after a moment, close with its upload still arriving: the kernel resets the connection
            // and the client's next write fails, as with a server that refuses a large upload.
            if (co_await write_maybe_paced(stream, body, plan.stream, out, wire, must_end)) {
                {
                    auto armed = wire.deadline->arm(wire.write_timeout);
                    co_await stream.shutdown_send();
                }
                co_await wait_watching(stream, early_response_linger);
                stream.close();
            }
            out.connection_closed = true;
            co_return out;
        }
        case fault::kind::tls_no_close_notify: {
            // Framed by the connection's end (plan_writer): the client cannot tell this FIN from the
            // end of the body, unless it insists on close_notify.
            if (co_await write_maybe_paced(stream, kept_part(body, f, body.size()), plan.stream, out, wire, must_end))
                stream.close_without_close_notify();
            out.connection_closed = true;
            co_return out;
        }
        case fault::kind::tls_bad_record: {
            if (co_await write_maybe_paced(stream, kept_part(body, f, body.size() / 2), plan.stream, out, wire,
                                           must_end)) {
                out.ec = co_await write_undecryptable_record(stream, out, wire);
                stream.close_without_close_notify();  // the client answers with a fatal alert, unread
            }
            out.connection_closed = true;
            co_return out;
        }
        case fault::kind::tls_alert: {
            if (co_await write_maybe_paced(stream, body.substr(0, body.size() / 2), plan.stream, out, wire, must_end)) {
                auto armed = wire.deadline->arm(wire.write_timeout);
                out.ec = wire.deadline->explain(co_await stream.send_tls_alert(f.alert));
                stream.close_without_close_notify();  // after a fatal alert, nothing more (RFC 8446 §6.2)
            }
            out.connection_closed = true;
            co_return out;
        }
        case fault::kind::tls_key_update:
        case fault::kind::tls_renegotiate: {
            // Between the head and the body, where a client reading the body must handle it.
            beast::error_code ec;
            {
                auto armed = wire.deadline->arm(wire.write_timeout);
                if (f.what == fault::kind::tls_key_update)
                    ec = co_await stream.update_keys();
                else
                    ec = co_await stream.renegotiate();
                ec = wire.deadline->explain(ec);
            }
            if (ec) {
                out.ec = ec;
                out.client_gone = client_left(ec);
                out.connection_closed = true;
                stream.close();
                co_return out;
            }
            co_await write_maybe_paced(stream, body, plan.stream, out, wire, must_end);
            co_return out;
        }
        default:  // slow_headers, or a paced body alone: the connection carries on
            co_await write_maybe_paced(stream, body, plan.stream, out, wire, must_end);
            co_return out;
    }
}

}  // namespace teapot::detail

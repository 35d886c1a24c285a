#include "wire/plan_writer.hpp"

#include "wire/chunked_body.hpp"
#include "wire/fault_writer.hpp"
#include "wire/head_bytes.hpp"
#include "wire/io_deadline.hpp"
#include "wire/watched_wait.hpp"

#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>

#include <algorithm>
#include <array>

namespace teapot::detail {
namespace {

// Connection management for the final head: "close" when the connection ends after
// it, "keep-alive" for an HTTP/1.0 client that keeps it (only when told so).
std::string_view connection_token(const wire_context& wire) {
    if (!wire.keep_alive) return "close";
    return wire.request_version == 10 ? "keep-alive" : "";
}

// Sends what the stream takes at once, without waiting (byte_stream::write_now).
// net::async_write would also send at once, but then post its completion: one
// more trip through the event loop per response.
write_outcome write_now(byte_stream& stream, const std::array<net::const_buffer, 2>& buffers) {
    write_outcome out;
    out.bytes = stream.write_now(buffers, out.ec);
    return out;
}

// What write_now left, under the write deadline.
net::awaitable<write_outcome> write_rest(byte_stream& stream, const std::array<net::const_buffer, 2>& buffers,
                                         write_outcome out, const wire_context& wire) {
    beast::buffers_suffix<std::array<net::const_buffer, 2>> rest{buffers};
    rest.consume(out.bytes);
    auto armed = wire.deadline->arm(wire.write_timeout);
    auto [ec, n] = co_await net::async_write(stream, rest, use_tuple_awaitable);
    out.bytes += n;
    out.ec = wire.deadline->explain(ec);
    co_return out;
}

// Both: a coroutine frame only when the socket did not take everything at once.
net::awaitable<write_outcome> write_buffers(byte_stream& stream, const std::array<net::const_buffer, 2>& buffers,
                                            const wire_context& wire) {
    auto out = write_now(stream, buffers);
    if (out.ec || out.bytes == net::buffer_size(buffers)) co_return out;
    co_return co_await write_rest(stream, buffers, out, wire);
}

// The final head as bytes, with the framing the fault calls for, appended to `out`.
void append_final_head(std::string& out, const response_plan& plan, const wire_context& wire) {
    head_framing fields;
    fields.connection = connection_token(wire);
    if (plan.fault.what == fault::kind::bad_chunk) {
        fields.chunked = true;
    } else if (plan.fault.what == fault::kind::tls_no_close_notify) {
        fields.connection = "close";  // the body ends where the connection does (RFC 9112 §6.3, rule 8)
    } else if (plan.body_framing == framing::chunked) {
        fields.chunked = true;
    } else if (plan.body_framing == framing::content_length) {
        auto length = static_cast<std::int64_t>(plan.body.size());
        if (plan.fault.what == fault::kind::wrong_length) length += plan.fault.length_delta;
        fields.content_length = static_cast<std::uint64_t>(std::max<std::int64_t>(length, 0));
    }
    append_head(out, plan.final_head, wire.server_header, fields);
}

}  // namespace

// Everything after the delay: interim heads, then the final response or its fault.
net::awaitable<write_outcome> send_plan(byte_stream& stream, const response_plan& plan, const wire_context& wire) {
    // reset, close, hang and garbage: no part of the response, no interim either.
    if (plan.fault.sends_no_response()) {
        auto out = co_await break_connection(stream, plan.fault, wire);
        if (out.bytes > 0) out.first_byte = std::chrono::system_clock::now();  // garbage: close enough
        co_return out;
    }
    write_outcome total;
    total.first_byte = std::chrono::system_clock::now();

    // RFC 9110 §15.2: interim responses end at their header section, no framing fields.
    for (const auto& head : plan.interim) {
        std::string bytes;
        append_head(bytes, head, wire.server_header);
        auto out = co_await write_buffers(stream, {net::buffer(bytes), net::const_buffer{}}, wire);
        total.bytes += out.bytes;
        if (out.ec) {
            total.ec = out.ec;
            co_return total;
        }
    }

    // The head goes into this thread's buffer, reused from one response to the next (an
    // allocation less per response); a response that must wait to be written, or that
    // breaks on the wire, keeps a copy of its own, since the buffer is the next one's.
    thread_local std::string head_buffer;
    head_buffer.clear();
    append_final_head(head_buffer, plan, wire);
    // HEAD gets the framing fields a GET would (RFC 9110 §9.3.2), and no content.
    std::string chunked;
    std::string_view body_bytes;
    if (plan.body_framing == framing::content_length && !plan.omit_body) {
        body_bytes = plan.body.view();
    } else if (plan.body_framing == framing::chunked && !plan.omit_body) {
        chunked = chunked_body(plan.body.view(), plan.trailers);
        body_bytes = chunked;
    }
    if (plan.fault.active() || plan.stream) {
        auto out = co_await write_faulty_response(stream, plan, std::string{head_buffer}, body_bytes, wire);
        out.bytes += total.bytes;
        out.first_byte = total.first_byte;
        co_return out;
    }
    const auto body = net::buffer(body_bytes);
    auto out = write_now(stream, {net::buffer(head_buffer), body});
    if (!out.ec && out.bytes < head_buffer.size() + body.size()) {
        std::string head = head_buffer;
        out = co_await write_rest(stream, {net::buffer(head), body}, out, wire);
    } else if (!out.ec && plan.interim.empty()) {
        total.sent_at_once = true;
    }
    total.bytes += out.bytes;
    total.ec = out.ec;
    co_return total;
}

write_outcome outcome_of_cut_wait(wait_end end) {
    write_outcome out;
    out.client_gone = end == wait_end::client_gone;
    out.ec = net::error::operation_aborted;
    return out;
}

net::awaitable<write_outcome> write_plan(byte_stream& stream, const response_plan& plan, wire_context wire) {
    // The wait holds this small frame only: what sending needs is allocated once it is over,
    // so that thousands of delayed answers cost little (docs/performance.md).
    if (plan.delay.count() > 0) {
        const auto end = co_await wait_watching(stream, std::min(plan.delay, wire.max_delay));
        if (end != wait_end::elapsed) co_return outcome_of_cut_wait(end);
    }
    co_return co_await send_plan(stream, plan, wire);
}

}  // namespace teapot::detail

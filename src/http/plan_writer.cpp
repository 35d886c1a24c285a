#include "http/plan_writer.hpp"

#include "faults/fault_writer.hpp"
#include "faults/watched_wait.hpp"
#include "http/request.hpp"
#include "util/http_date.hpp"

#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <sstream>

namespace teapot::detail {
namespace http = beast::http;
namespace {

using message = http::response<http::string_body>;

message head_message(const message_head& head, std::string_view server_header) {
    message m;
    // We always speak HTTP/1.1, also to 1.0 clients (RFC 9110 §6.2: send the highest minor version).
    m.version(11);
    // result(unsigned) keeps any code 100..999; Beast's table lacks some (418, 425) so
    // the reason is always ours.
    m.result(static_cast<unsigned>(head.status));
    m.reason(head.reason);
    m.set(http::field::date, current_http_date());
    m.set(http::field::server, server_header);
    for (const auto& h : head.headers) {
        // Date and Server are single-valued: a plan's own value (?header=Server:x) replaces ours.
        if (iequals(h.name, "Date") || iequals(h.name, "Server"))
            m.set(h.name, h.value);
        else
            m.insert(h.name, h.value);
    }
    return m;
}

void set_connection(message& m, const wire_context& wire) {
    if (!wire.keep_alive) {
        auto connection = m[http::field::connection];
        m.set(http::field::connection, connection.empty() ? std::string{"close"} : std::string{connection} + ", close");
    } else if (wire.request_version == 10) {
        // An HTTP/1.0 client keeps the connection only when told so.
        m.set(http::field::connection, "keep-alive");
    }
}

net::awaitable<write_outcome> write_message(stream_type& stream, message& m, std::chrono::milliseconds timeout) {
    stream.expires_after(timeout);
    auto [ec, n] = co_await http::async_write(stream, m, use_tuple_awaitable);
    write_outcome out;
    out.ec = ec;
    out.bytes = n;
    co_return out;
}

// The final head as bytes, Beast's own serialization, with the framing the fault calls for.
std::string final_head_bytes(const response_plan& plan, const wire_context& wire) {
    auto m = head_message(plan.final_head, wire.server_header);
    if (plan.fault.what == fault::kind::bad_chunk) {
        m.chunked(true);
    } else if (plan.body_framing == framing::content_length) {
        auto length = static_cast<std::int64_t>(plan.body.size());
        if (plan.fault.what == fault::kind::wrong_length) length += plan.fault.length_delta;
        m.content_length(static_cast<std::uint64_t>(std::max<std::int64_t>(length, 0)));
    }
    set_connection(m, wire);
    std::ostringstream out;
    out << m.base();
    return std::move(out).str();
}

}  // namespace

net::awaitable<write_outcome> write_plan(stream_type& stream, const response_plan& plan, wire_context wire) {
    write_outcome total;
    switch (co_await wait_watching(stream, std::min(plan.delay, wire.max_delay))) {
        case wait_end::elapsed: break;
        case wait_end::client_gone: total.client_gone = true; [[fallthrough]];
        case wait_end::aborted: total.ec = net::error::operation_aborted; co_return total;
    }
    // reset, close, hang and garbage: no part of the response, no interim either.
    if (plan.fault.sends_no_response()) {
        auto out = co_await break_connection(stream, plan.fault, wire);
        if (out.bytes > 0) out.first_byte = std::chrono::system_clock::now();  // garbage: close enough
        co_return out;
    }
    total.first_byte = std::chrono::system_clock::now();

    // RFC 9110 §15.2: interim responses end at their header section, no framing fields.
    for (const auto& head : plan.interim) {
        auto m = head_message(head, wire.server_header);
        auto out = co_await write_message(stream, m, wire.write_timeout);
        total.bytes += out.bytes;
        if (out.ec) {
            total.ec = out.ec;
            co_return total;
        }
    }

    if (plan.fault.active() || plan.stream) {
        auto out = co_await write_faulty_response(stream, plan, final_head_bytes(plan, wire), wire);
        out.bytes += total.bytes;
        out.first_byte = total.first_byte;
        co_return out;
    }

    auto m = head_message(plan.final_head, wire.server_header);
    if (plan.body_framing == framing::content_length) {
        // HEAD gets the Content-Length a GET would (RFC 9110 §9.3.2), and no content.
        m.content_length(plan.body.size());
        if (!plan.omit_body) m.body() = plan.body;
    }
    set_connection(m, wire);
    auto out = co_await write_message(stream, m, wire.write_timeout);
    total.bytes += out.bytes;
    total.ec = out.ec;
    co_return total;
}

}  // namespace teapot::detail

#include "http/plan_writer.hpp"

#include "http/request.hpp"
#include "util/http_date.hpp"

#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

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

net::awaitable<write_outcome> write_message(stream_type& stream, message& m, std::chrono::milliseconds timeout) {
    stream.expires_after(timeout);
    auto [ec, n] = co_await http::async_write(stream, m, use_tuple_awaitable);
    co_return write_outcome{ec, n};
}

}  // namespace

net::awaitable<bool> wait_delay(stream_type& stream, std::chrono::milliseconds delay) {
    if (delay.count() <= 0) co_return true;
    // A timer, never a sleep: thousands of delayed responses cost no threads.
    timer_type timer{stream.get_executor(), delay};
    auto [ec] = co_await timer.async_wait();
    co_return !ec;
}

net::awaitable<write_outcome> write_plan(stream_type& stream, const response_plan& plan, wire_context wire) {
    write_outcome total;
    if (!co_await wait_delay(stream, plan.delay)) {
        total.ec = net::error::operation_aborted;
        co_return total;
    }

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

    auto m = head_message(plan.final_head, wire.server_header);
    if (plan.body_framing == framing::content_length) {
        // HEAD gets the Content-Length a GET would (RFC 9110 §9.3.2), and no content.
        m.content_length(plan.body.size());
        if (!plan.omit_body) m.body() = plan.body;
    }
    if (!wire.keep_alive) {
        auto connection = m[http::field::connection];
        m.set(http::field::connection, connection.empty() ? std::string{"close"} : std::string{connection} + ", close");
    } else if (wire.request_version == 10) {
        // An HTTP/1.0 client keeps the connection only when told so.
        m.set(http::field::connection, "keep-alive");
    }
    auto out = co_await write_message(stream, m, wire.write_timeout);
    total.bytes += out.bytes;
    total.ec = out.ec;
    co_return total;
}

}  // namespace teapot::detail

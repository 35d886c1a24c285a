#include "handlers/httpbin/extras.hpp"

#include "handlers/error_plan.hpp"
#include "handlers/httpbin/json_reply.hpp"
#include "handlers/httpbin/python_args.hpp"
#include "handlers/status_handler.hpp"
#include "util/ascii.hpp"
#include "util/duration.hpp"
#include "util/field_syntax.hpp"
#include "util/random_source.hpp"

#include <boost/json/object.hpp>

#include <charconv>
#include <chrono>
#include <cmath>
#include <string>

namespace teapot::detail::httpbin {
namespace {

using std::chrono::milliseconds;

constexpr long long max_messages = 1000;  // 56 KB of events, 37 KB of lines (measured): a plan holds its body whole

// A duration as go-httpbin reads one: Go's units ("1.5s", "250ms") or seconds ("2").
std::optional<milliseconds> duration_arg(const std::string& text) {
    if (auto d = parse_duration(text)) return d;
    const auto seconds = python_float(text);
    if (!seconds || !std::isfinite(*seconds) || *seconds < 0 || *seconds > 86'400) return std::nullopt;
    return milliseconds{static_cast<long long>(std::llround(*seconds * 1000))};
}

response_plan plain_answer(const request& req, int status, std::string body) {
    return body_reply(req, status, "text/plain; charset=utf-8", std::move(body));
}

// RFC 9110 §6.5.1: what a recipient must not take from a trailer section, beyond the
// framing fields (is_framing_field): routing, request modifiers, authentication, response
// control, and what decides how the content is read.
bool trailer_forbidden(std::string_view name) {
    static constexpr std::string_view forbidden[] = {"Host",
                                                     "Cache-Control",
                                                     "Expect",
                                                     "Max-Forwards",
                                                     "Pragma",
                                                     "Range",
                                                     "Authorization",
                                                     "Set-Cookie",
                                                     "WWW-Authenticate",
                                                     "Proxy-Authenticate",
                                                     "Proxy-Authorization",
                                                     "Age",
                                                     "Date",
                                                     "Expires",
                                                     "Location",
                                                     "Retry-After",
                                                     "Vary",
                                                     "Warning",
                                                     "Content-Encoding",
                                                     "Content-Type",
                                                     "Content-Range",
                                                     "Trailer"};
    for (auto f : forbidden)
        if (iequals(name, f)) return true;
    return is_framing_field(name);
}

enum class message_kind { event, json_line };

// /sse and /jsonl: `count` messages {"id","timestamp"} spread over `duration` after `delay`,
// each a piece of the pacing (a whole event, a whole line) carrying the time it is due.
response_plan timed_messages(const request& req, const std::vector<query_param>& params, const handler_context& ctx,
                             message_kind kind) {
    long long count = 10;
    milliseconds duration{5000}, delay{0};
    if (const auto* given = first_arg(params, "count")) {
        const auto n = python_int(*given);
        if (!n || *n < 1 || *n > max_messages)
            return error_plan(400, "count=" + *given + " is not a count of messages from 1 to 1000", &req);
        count = *n;
    }
    if (const auto* given = first_arg(params, "duration")) {
        const auto d = duration_arg(*given);
        if (!d || d->count() == 0)
            return error_plan(400, "duration=" + *given + " is not a duration above 0 (2s, 500ms, 1.5)", &req);
        duration = *d;
    }
    if (const auto* given = first_arg(params, "delay")) {
        const auto d = duration_arg(*given);
        if (!d) return error_plan(400, "delay=" + *given + " is not a duration (2s, 500ms, 1.5)", &req);
        delay = *d;
    }
    if (duration + delay > ctx.max_delay)
        return error_plan(400,
                          "duration and delay together (" + format_duration(duration + delay) +
                              ") are longer than --max-delay (" + format_duration(ctx.max_delay) + ")",
                          &req);

    // Written when the plan is made: each message carries the time it is due on the wire.
    const milliseconds pause{count > 1 ? duration.count() / (count - 1) : 0};
    const auto start =
        std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()) + delay;
    const bool event = kind == message_kind::event;
    std::string messages;
    messages.reserve(static_cast<std::size_t>(count) * 48);
    for (long long id = 0; id < count; ++id) {
        if (event) messages += "event: ping\ndata: ";
        messages += "{\"id\":" + std::to_string(id) +
                    ",\"timestamp\":" + std::to_string(start.count() + id * pause.count()) + "}\n";
        if (event) messages += "\n";  // an event ends at a blank line
    }
    auto plan =
        body_reply(req, 200, event ? "text/event-stream; charset=utf-8" : "application/jsonl", std::move(messages));
    plan.final_head.set("Cache-Control", "no-cache");  // a proxy must not hold the stream back
    plan.delay = delay;
    if (count > 1) plan.stream = pacing{1, pause, event ? "\n\n" : "\n"};  // one whole message a piece
    return plan;
}

}  // namespace

response_plan sse(const request& req, std::string_view, const std::vector<query_param>& params,
                  const handler_context& ctx) {
    return timed_messages(req, params, ctx, message_kind::event);
}

response_plan jsonl(const request& req, std::string_view, const std::vector<query_param>& params,
                    const handler_context& ctx) {
    return timed_messages(req, params, ctx, message_kind::json_line);
}

response_plan trailers(const request& req, std::string_view, const std::vector<query_param>& params,
                       const handler_context&) {
    boost::json::object listed;
    std::vector<header_field> fields;
    std::string announced;
    for (const auto& p : params) {
        if (p.key == "fault") continue;  // teapot's knob (fault_knob.hpp), not a field
        if (!is_token(p.key) || !is_field_value(p.value))
            return error_plan(400,
                              "'" + p.key +
                                  "' cannot be a trailer field: a token and a value without control "
                                  "characters are",
                              &req);
        if (trailer_forbidden(p.key))
            return error_plan(400, p.key + " cannot be a trailer field: RFC 9110 §6.5.1 keeps it in the header section",
                              &req);
        if (!listed.contains(p.key)) announced.append(announced.empty() ? "" : ", ").append(p.key);
        listed[p.key] = p.value;  // the last of a name, as the trailers show it last
        fields.push_back({p.key, p.value});
    }
    auto plan = json_reply(req, listed);
    if (req.version < 11) return plan;  // RFC 9112 §6.1: no chunked coding to an HTTP/1.0 client, so no trailers
    plan.body_framing = framing::chunked;
    plan.trailers = std::move(fields);
    if (!announced.empty()) plan.final_head.set("Trailer", std::move(announced));  // RFC 9110 §6.6.2
    return plan;
}

response_plan unstable(const request& req, std::string_view, const std::vector<query_param>& params,
                       const handler_context& ctx) {
    double failure_rate = 0.5;
    if (const auto* given = first_arg(params, "failure_rate")) {
        const auto rate = python_float(*given);
        if (!rate || !(*rate >= 0 && *rate <= 1))
            return error_plan(400, "failure_rate=" + *given + " is not a rate from 0 to 1", &req);
        failure_rate = *rate;
    }
    double draw = 0;
    if (const auto* given = first_arg(params, "seed")) {
        const auto seed = python_int(*given);
        if (!seed) return error_plan(400, "seed=" + *given + " is not an integer", &req);
        random_source seeded{static_cast<std::uint64_t>(*seed)};
        draw = seeded.next_unit();
    } else {
        draw = ctx.random->next_unit();  // the server's stream: --seed replays a run
    }
    return plain_answer(req, draw < failure_rate ? 500 : 200, {});
}

response_plan dump_request(const request& req, std::string_view, const std::vector<query_param>&,
                           const handler_context&) {
    std::string dump;
    dump.reserve(256 + req.body.size());
    dump.append(req.method)
        .append(" ")
        .append(req.target)
        .append(req.version == 10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n");
    bool chunked = false;
    for (const auto& [name, value] : req.headers) {
        dump.append(name).append(": ").append(value).append("\r\n");
        if (iequals(name, "Transfer-Encoding")) chunked = true;  // HTTP/1.1 allows chunked alone (RFC 9112 §6.1)
    }
    dump.append("\r\n");
    if (!chunked) {
        dump.append(req.body);
    } else {
        // The body came chunked and was read whole: one chunk, the last, and the trailers it had.
        if (!req.body.empty()) {
            char size[16];
            const auto end = std::to_chars(size, size + sizeof size, req.body.size(), 16).ptr;
            dump.append(size, end).append("\r\n").append(req.body).append("\r\n");
        }
        dump.append("0\r\n");
        for (const auto& [name, value] : req.trailers) dump.append(name).append(": ").append(value).append("\r\n");
        dump.append("\r\n");
    }
    return plain_answer(req, 200, std::move(dump));
}

response_plan hostname(const request& req, std::string_view, const std::vector<query_param>&,
                       const handler_context& ctx) {
    return json_reply(req, boost::json::object{{"hostname", ctx.httpbin.hostname}});
}

response_plan websocket_echo(const request& req, std::string_view, const std::vector<query_param>&,
                             const handler_context&) {
    return plan_for_code(req, 101, {});
}

}  // namespace teapot::detail::httpbin

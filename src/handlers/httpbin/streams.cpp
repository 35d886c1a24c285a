#include "handlers/httpbin/streams.hpp"

#include "handlers/error_plan.hpp"
#include "handlers/httpbin/json_reply.hpp"
#include "handlers/httpbin/python_args.hpp"
#include "handlers/httpbin/python_random.hpp"
#include "handlers/httpbin/request_view.hpp"
#include "util/python_json.hpp"
#include "util/random_source.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <optional>
#include <string>

namespace teapot::detail::httpbin {
namespace {

constexpr std::size_t max_random_bytes = 100 * 1024;      // httpbin's cap on /bytes, /stream-bytes, /range
constexpr std::size_t max_drip_bytes = 10 * 1024 * 1024;  // and on /drip
constexpr std::size_t max_stream_lines = 100;             // and on /stream

// Werkzeug's int converter (digits only) as a count, clamped to `cap`; nullopt when not digits.

response_plan not_routed(const request& req, std::string_view what) {
    return error_plan(404, "no resource at " + std::string{req.target} + ": " + std::string{what}, &req);
}

response_plan octets(const request& req, int status, response_body body) {
    return body_reply(req, status, "application/octet-stream", std::move(body));
}

// Python's random bytes: seeded by ?seed= as random.seed(int(seed)) does, else by the server's
// stream (so that --seed replays them too). nullopt when seed is not an integer (httpbin: 500).
std::optional<std::string> random_bytes(std::size_t n, const std::vector<query_param>& params,
                                        const handler_context& ctx) {
    std::string seed;
    if (const auto* given = first_arg(params, "seed")) {
        if (!python_int(*given)) return std::nullopt;
        seed = *given;
    } else {
        seed = std::to_string(ctx.random ? ctx.random->next_bits() : random_source::entropy());
    }
    python_random draw{seed};
    std::string out(n, '\0');
    for (auto& b : out) b = static_cast<char>(draw.byte());
    return out;
}

// One buffer of "abcd…" that every /range answer is a part of: byte i of a resource is
// 'a' + i % 26, so the answer for [first, last] is this buffer from `first` on.
const std::shared_ptr<const std::string>& alphabet_bytes() {
    static const auto bytes = [] {
        auto s = std::make_shared<std::string>(max_random_bytes, '\0');
        for (std::size_t i = 0; i < s->size(); ++i) (*s)[i] = static_cast<char>('a' + i % 26);
        return std::shared_ptr<const std::string>{std::move(s)};
    }();
    return bytes;
}

// The "*"s /drip sends, once for every request: a drip is a part of it (10 MiB at most).
const std::shared_ptr<const std::string>& drip_bytes() {
    static const auto bytes = std::make_shared<const std::string>(max_drip_bytes, '*');
    return bytes;
}

// `bytes` spread over `duration` on the writer's timers: one byte per pause when pauses are
// 10 ms or longer, else as many bytes every 10 ms as keep the pace.
std::optional<pacing> spread(std::size_t bytes, std::chrono::milliseconds duration) {
    if (duration.count() <= 0 || bytes == 0) return std::nullopt;
    const auto per_byte = duration.count() / static_cast<long long>(bytes);
    if (per_byte >= 10) return pacing{1, std::chrono::milliseconds{per_byte}};
    const auto per_tick =
        (bytes * 10 + static_cast<std::size_t>(duration.count()) - 1) / static_cast<std::size_t>(duration.count());
    return pacing{per_tick, std::chrono::milliseconds{10}};
}

// A wait the client asked for, as float() reads it, in ms; nullopt when it is not a number or
// is negative; `refused` says the wait passes --max-delay.
std::optional<std::chrono::milliseconds> wait_of(const std::string& text, const handler_context& ctx, bool& refused) {
    const auto seconds = python_float(text);
    if (!seconds || std::isnan(*seconds) || *seconds < 0) return std::nullopt;
    refused = *seconds * 1000 > static_cast<double>(ctx.max_delay.count());
    return refused ? ctx.max_delay : std::chrono::milliseconds{static_cast<long long>(*seconds * 1000)};
}

// helpers.__parse_request_range: "bytes", one "=", then "first-last" where either may be
// missing or not a number (then ignored), as httpbin reads it (a list of ranges reads as
// its first number and no last). Returns [first, last] or nullopt when unsatisfiable.
std::optional<std::pair<long long, long long>> httpbin_range(std::string_view field, long long size) {
    std::optional<long long> left, right;
    while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) field.remove_prefix(1);
    while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
    const auto eq = field.find('=');
    if (field.starts_with("bytes") && eq != std::string_view::npos &&
        field.find('=', eq + 1) == std::string_view::npos) {
        const auto spec = field.substr(eq + 1);
        const auto dash = spec.find('-');
        left = python_int(spec.substr(0, dash));
        if (dash != std::string_view::npos)
            right = python_int(spec.substr(dash + 1, spec.find('-', dash + 1) - dash - 1));
    }
    long long first = 0, last = size - 1;
    if (left && right) {
        first = *left;
        last = *right;
    } else if (right) {
        first = std::max(0LL, size - *right);
    } else if (left) {
        first = *left;
    }
    if (first > last || first < 0 || first >= size || last < 0 || last >= size) return std::nullopt;
    return std::pair{first, last};
}

}  // namespace

response_plan bytes(const request& req, std::string_view n, const std::vector<query_param>& params,
                    const handler_context& ctx) {
    const auto count = werkzeug_count(n, max_random_bytes);
    if (!count) return not_routed(req, "/bytes/<n>");
    auto drawn = random_bytes(*count, params, ctx);
    if (!drawn) return error_plan(500, "seed is not an integer (httpbin answers 500 here too)", &req);
    return octets(req, 200, std::move(*drawn));
}

response_plan stream_bytes(const request& req, std::string_view n, const std::vector<query_param>& params,
                           const handler_context& ctx) {
    const auto count = werkzeug_count(n, max_random_bytes);
    if (!count) return not_routed(req, "/stream-bytes/<n>");
    if (const auto* chunk = first_arg(params, "chunk_size"); chunk && !python_int(*chunk))
        return error_plan(500, "chunk_size is not an integer (httpbin answers 500 here too)", &req);
    auto drawn = random_bytes(*count, params, ctx);
    if (!drawn) return error_plan(500, "seed is not an integer (httpbin answers 500 here too)", &req);
    return octets(req, 200, std::move(*drawn));
}

response_plan stream(const request& req, std::string_view n, const std::vector<query_param>& params,
                     const handler_context&) {
    const auto count = werkzeug_count(n, max_stream_lines);
    if (!count) return not_routed(req, "/stream/<n>");
    // json.dumps of get_dict's dict and an id: its keys in that order, ", " and ": ".
    auto fields = echo(req, params, field::url | field::args | field::headers | field::origin);
    boost::json::object line{
        {"url", fields["url"]}, {"args", fields["args"]}, {"headers", fields["headers"]}, {"origin", fields["origin"]}};
    std::string body;
    for (std::size_t i = 0; i < *count; ++i) {
        line["id"] = i;
        body += python_json_text(line, {false, false}) + "\n";
    }
    response_plan plan;
    plan.final_head.status = 200;
    plan.final_head.reason = "OK";
    plan.final_head.set("Content-Type", "application/json");
    plan.body = std::move(body);
    plan.omit_body = req.method == "HEAD";
    return plan;
}

response_plan range(const request& req, std::string_view n, const std::vector<query_param>& params,
                    const handler_context& ctx) {
    if (n.empty() || !std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return not_routed(req, "/range/<n>");
    const auto size = werkzeug_count(n, max_random_bytes + 1).value_or(0);
    const std::string tag = "range" + std::string{n.substr(std::min(n.find_first_not_of('0'), n.size() - 1))};
    if (size == 0 || size > max_random_bytes) {
        auto plan = octets(req, 404, std::string{"number of bytes must be in the range (0, 102400]"});
        plan.final_head.set("Content-Type", "text/plain; charset=utf-8");
        plan.final_head.set("ETag", tag);
        plan.final_head.set("Accept-Ranges", "bytes");
        return plan;
    }
    if (const auto* chunk = first_arg(params, "chunk_size"); chunk && !python_int(*chunk))
        return error_plan(500, "chunk_size is not an integer (httpbin answers 500 here too)", &req);
    std::chrono::milliseconds duration{0};
    if (const auto* given = first_arg(params, "duration")) {
        bool refused = false;
        const auto wait = wait_of(*given, ctx, refused);
        if (!wait) return error_plan(500, "duration is not a number (httpbin answers 500 here too)", &req);
        if (refused) return error_plan(400, "duration=" + *given + " is longer than --max-delay", &req);
        duration = *wait;
    }
    const auto span = httpbin_range(req.header("Range"), static_cast<long long>(size));
    if (!span) {
        auto plan = octets(req, 416, response_body{});
        plan.final_head.set("Content-Type", "text/plain; charset=utf-8");
        plan.final_head.set("ETag", tag);
        plan.final_head.set("Accept-Ranges", "bytes");
        plan.final_head.set("Content-Range", "bytes */" + std::to_string(size));
        return plan;
    }
    const auto [first, last] = *span;
    const auto length = static_cast<std::size_t>(last - first + 1);
    const auto& all = alphabet_bytes();
    auto plan = octets(req, length == size ? 200 : 206,
                       response_body{all, std::string_view{*all}.substr(static_cast<std::size_t>(first), length)});
    plan.final_head.set("ETag", tag);
    plan.final_head.set("Accept-Ranges", "bytes");
    plan.final_head.set("Content-Range",
                        "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(size));
    // httpbin pauses duration/n after each chunk of the range.
    plan.stream = spread(length, std::chrono::milliseconds{duration.count() * static_cast<long long>(length) /
                                                           static_cast<long long>(size)});
    return plan;
}

response_plan drip(const request& req, std::string_view, const std::vector<query_param>& params,
                   const handler_context& ctx) {
    std::chrono::milliseconds duration{2000}, delay{0};
    long long numbytes = 10;
    int code = 200;
    for (auto [name, target] : {std::pair{"duration", &duration}, std::pair{"delay", &delay}}) {
        const auto* given = first_arg(params, name);
        if (!given) continue;
        bool refused = false;
        const auto wait = wait_of(*given, ctx, refused);
        if (!wait) return error_plan(500, std::string{name} + " is not a number (httpbin answers 500 here too)", &req);
        if (refused) return error_plan(400, std::string{name} + "=" + *given + " is longer than --max-delay", &req);
        *target = *wait;
    }
    if (const auto* given = first_arg(params, "numbytes")) {
        const auto value = python_int(*given);
        if (!value) return error_plan(500, "numbytes is not an integer (httpbin answers 500 here too)", &req);
        numbytes = *value;
    }
    if (const auto* given = first_arg(params, "code")) {
        const auto value = python_int(*given);
        if (!value) return error_plan(500, "code is not an integer (httpbin answers 500 here too)", &req);
        if (*value < 200 || *value > 599)
            return error_plan(400, "code=" + *given + " is not a final status (200 to 599)", &req);
        code = static_cast<int>(*value);
    }
    if (numbytes <= 0) {
        auto plan = octets(req, 400, std::string{"number of bytes must be positive"});
        plan.final_head.set("Content-Type", "text/plain; charset=utf-8");
        return plan;
    }
    const auto count = std::min(static_cast<std::size_t>(numbytes), max_drip_bytes);
    const auto& all = drip_bytes();
    auto plan = octets(req, code, response_body{all, std::string_view{*all}.substr(0, count)});
    if (code == 204 || code == 304) {
        plan.body = response_body{};
        plan.body_framing = framing::none;  // RFC 9110 §15.3.5, §15.4.5: no content, whatever was asked
    }
    plan.delay = delay;
    plan.stream = spread(count, duration);
    return plan;
}

}  // namespace teapot::detail::httpbin

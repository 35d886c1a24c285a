#include "handlers/status_handler.hpp"

#include "faults/answer_time.hpp"
#include "faults/fault_fit.hpp"
#include "handlers/byte_ranges.hpp"
#include "handlers/error_plan.hpp"
#include "handlers/status_body.hpp"
#include "handlers/status_spec.hpp"

#include "util/duration.hpp"
#include "util/field_syntax.hpp"
#include "util/random_source.hpp"

#include <teapot/catalog.hpp>

#include <algorithm>
#include <functional>

namespace teapot::detail {
namespace {

constexpr std::string_view default_location = "/status/200";
constexpr std::string_view multipart_boundary = "teapot-byteranges-6f1c";

// 64 random bits for a garbage fault's generator, from two draws of the server's stream.
std::uint64_t random_bits(const std::function<double()>& unit) {
    constexpr double two_32 = 4294967296.0;
    auto high = static_cast<std::uint64_t>(unit() * two_32);
    return (high << 32) | static_cast<std::uint64_t>(unit() * two_32);
}

bool is_interim(int code) { return code >= 100 && code < 200 && code != 101; }

// RFC 6455 §4.2.1: a WebSocket opening handshake is a GET over HTTP/1.1 with
// Upgrade: websocket and Connection: upgrade.
bool asks_websocket_upgrade(const request& req) {
    return req.version >= 11 && req.method == "GET" && list_has_token(req.header("Upgrade"), "websocket") &&
           list_has_token(req.header("Connection"), "upgrade");
}

struct status_request {
    const request& req;
    const status_knobs& knobs;
    media_type media;
    language lang;
};

std::string location_of(const status_request& s) {
    return s.knobs.location ? *s.knobs.location : std::string{default_location};
}

body_links links_for(int code, const status_request& s) {
    body_links links;
    if (code == 300) links.choices = {location_of(s), "/status/200?lang=fr"};
    if (code == 511) links.login = location_of(s);
    return links;
}

// The representation /status/206 serves slices of, and whose length 416 reports.
response_body range_resource(const status_request& s) {
    return s.knobs.body ? *s.knobs.body : cached_status_body(206, s.media, s.lang);
}

void apply_partial_content(response_plan& plan, const status_request& s) {
    const auto kept = range_resource(s);
    const std::string_view resource = kept;
    auto content_type = std::string{content_type_of(s.media)};
    auto range = evaluate_range(s.req.header("Range"), resource.size());
    auto total = std::to_string(resource.size());

    if (range.result == range_request::outcome::unsatisfiable || resource.empty()) {
        // §15.5.17: a Range that overlaps nothing is a 416 with the current length.
        plan.final_head.status = 416;
        plan.final_head.reason = std::string{reason_phrase(416)};
        plan.final_head.add("Content-Range", "bytes */" + total);
        plan.body = cached_status_body(416, s.media, s.lang);
        plan.final_head.add("Content-Type", content_type);
        return;
    }
    if (range.result == range_request::outcome::ignore)
        // No usable Range: send the first half, as a 206 must carry a range.
        range.ranges = {{0, std::max<std::size_t>(resource.size() / 2, 1) - 1}};

    plan.final_head.add("Accept-Ranges", "bytes");
    if (range.ranges.size() == 1) {
        auto [first, last] = range.ranges.front();
        plan.final_head.add("Content-Range",
                            "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + total);
        plan.final_head.add("Content-Type", content_type);
        plan.body = response_body{resource.substr(first, last - first + 1)};
        return;
    }
    // §14.6: several ranges go as multipart/byteranges, one Content-Range per part.
    std::string body;
    for (auto [first, last] : range.ranges) {
        body += "--" + std::string{multipart_boundary} + "\r\nContent-Type: " + content_type +
                "\r\nContent-Range: bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + total +
                "\r\n\r\n" + std::string{resource.substr(first, last - first + 1)} + "\r\n";
    }
    body += "--" + std::string{multipart_boundary} + "--\r\n";
    plan.final_head.add("Content-Type", "multipart/byteranges; boundary=" + std::string{multipart_boundary});
    plan.body = std::move(body);
}

// The headers each code calls for (see README "Per-code behaviour"). The head is
// built from empty, so fields are added, not set (set would search for each).
void apply_code_headers(response_plan& plan, int code, const status_request& s) {
    auto& head = plan.final_head;
    bool redirect = code >= 300 && code < 400 && code != 304;
    if (code == 201 || redirect) head.add("Location", location_of(s));
    switch (code) {
        case 401: head.add("WWW-Authenticate", "Basic realm=\"teapot\", charset=\"UTF-8\""); break;
        case 407: head.add("Proxy-Authenticate", "Basic realm=\"teapot\", charset=\"UTF-8\""); break;
        case 405: head.add("Allow", "GET, HEAD"); break;
        case 408:
            // §15.5.9: the server closes the connection it timed out on.
            plan.close_after = true;
            break;
        case 426:
            head.add("Upgrade", "websocket");
            head.add("Connection", "Upgrade");
            break;
        case 416: head.set("Content-Range", "bytes */" + std::to_string(range_resource(s).size())); break;
        case 429:
        case 503: head.add("Retry-After", s.knobs.retry_after.value_or("1")); break;
        case 451: head.add("Link", "<https://example.org/legal-demand>; rel=\"blocked-by\""); break;
        default: break;
    }
    // RFC 6585 §3–6: these MUST NOT be stored by a cache.
    if (code == 428 || code == 429 || code == 431 || code == 511) head.add("Cache-Control", "no-store");
}

// The final response for `code` (not 1xx, not 444, not 101).
void build_final(response_plan& plan, int code, const status_request& s) {
    auto& head = plan.final_head;
    head.status = code;
    head.reason = s.knobs.reason ? *s.knobs.reason : std::string{reason_phrase(code)};

    if (code == 204 || code == 304) {
        // RFC 9112 §6.3: these end at the header section; no Content-Length (§8.6).
        plan.body_framing = framing::none;
        if (code == 304) head.add("ETag", "\"teapot-304\"");
    } else if (code == 205) {
        // §15.3.6: no content, and Content-Length: 0 since 205 is not bodiless by framing.
    } else if (code == 206) {
        apply_partial_content(plan, s);
    } else if (s.knobs.body) {
        plan.body = *s.knobs.body;
        head.add("Content-Type", s.knobs.content_type.value_or("text/plain; charset=utf-8"));
    } else {
        // 300 and 511 link to ?location=; every other body is the same each time.
        plan.body = code == 300 || code == 511 ? render_status_body(code, s.media, s.lang, links_for(code, s))
                                               : cached_status_body(code, s.media, s.lang);
        head.add("Content-Type", s.knobs.content_type.value_or(std::string{content_type_of(s.media)}));
    }
    apply_code_headers(plan, plan.final_head.status, s);
    head.add("Vary", "Accept, Accept-Language");
    // ?header= replaces teapot's field of that name; repeated, it adds several (Set-Cookie).
    for (const auto& h : s.knobs.headers)
        std::erase_if(head.headers, [&](const header_field& f) { return iequals(f.name, h.name); });
    for (const auto& h : s.knobs.headers) head.add(h.name, h.value);
}

message_head interim_head(int code) {
    message_head head;
    head.status = code;
    head.reason = std::string{reason_phrase(code)};
    // RFC 8297 §2: Early Hints carry the links the final response will need.
    if (code == 103) head.add("Link", "</static/teapot.css>; rel=preload; as=style");
    return head;
}

}  // namespace

namespace {

// plan_for_code into a plan the caller holds (freshly made): handle_status fills the
// plan it returns by name, where a returned plan would be moved, a dozen strings.
void fill_plan_for_code(response_plan& plan, const request& req, int code, const status_knobs& knobs) {
    plan.final_head.headers.reserve(8);  // a /status answer has 6 or 7 fields: one allocation
    plan.delay = knobs.delay;
    plan.omit_body = req.method == "HEAD";
    plan.fault = knobs.fault;
    plan.stream = knobs.stream;

    if (code == 444) {
        // nginx's 444: close without sending a single byte.
        plan.action = response_plan::kind::close_silently;
        return;
    }
    int final_code = code;
    if (is_interim(code)) {
        // §15.2: never a 1xx to an HTTP/1.0 client; the final response alone.
        if (req.version >= 11) plan.interim.push_back(interim_head(code));
        final_code = knobs.final_code.value_or(200);
        if (final_code == 444) {
            plan.action = response_plan::kind::close_silently;
            return;
        }
    }
    if (final_code == 101) {
        // HTTP/2 has no 101 (RFC 9113 §8.6): its stream is reset with HTTP_1_1_REQUIRED, and a
        // client retries over HTTP/1.1, where the WebSocket handshake is (docs/http2.md).
        if (req.version == 20) {
            plan.action = response_plan::kind::http11_required;
            return;
        }
        if (asks_websocket_upgrade(req)) {
            plan.action = response_plan::kind::websocket_echo;
            return;
        }
        // Without a request to upgrade, a 101 would be a lie (§15.2.2): say what is needed.
        final_code = 426;
    }
    status_request s{req, knobs, negotiate_media(req.header("Accept"), final_code >= 400),
                     knobs.lang ? *knobs.lang : negotiate_language(req.header("Accept-Language"))};
    build_final(plan, final_code, s);
    if (code == 101 && final_code == 426 && !knobs.body) {
        plan.body =
            "/status/101 switches protocols only for a WebSocket handshake: send GET with "
            "Upgrade: websocket, Connection: Upgrade, Sec-WebSocket-Key and Sec-WebSocket-Version: 13.\n";
        plan.final_head.set("Content-Type", "text/plain; charset=utf-8");
    }
}

}  // namespace

response_plan plan_for_code(const request& req, int code, const status_knobs& knobs) {
    response_plan plan;
    fill_plan_for_code(plan, req, code, knobs);
    return plan;
}

message_head interim_response_head(int code) { return interim_head(code); }

response_plan handle_status(const request& req, std::string_view spec_text, const std::vector<query_param>& params,
                            const handler_context& ctx) {
    // Every return returns this plan, so it is built where the caller wants it (no move).
    response_plan plan;
    std::string error;
    auto spec = parse_status_spec(spec_text, error);
    if (!spec) {
        plan = error_plan(400, error, &req);
        return plan;
    }
    auto knobs =
        parse_status_knobs(params, knob_limits{ctx.max_delay, ctx.allowed_redirect_hosts, ctx.strict_knobs}, error);
    if (!knobs) {
        plan = error_plan(400, error, &req);
        return plan;
    }
    const std::function<double()> unit = [&ctx] { return ctx.random->next_unit(); };
    if (knobs->random_delay) knobs->delay = knobs->random_delay->draw(unit);
    if (knobs->fault.what == fault::kind::garbage) knobs->fault.garbage_seed = random_bits(unit);
    fill_plan_for_code(plan, req, spec->pick(*ctx.random), *knobs);
    // The client's own parameters are ignored; a person reading the answer sees which (issue 14).
    if (!knobs->ignored.empty())
        plan.final_head.add("X-Teapot-Ignored-Params", ignored_params_field(knobs->ignored, knobs->ignored_unnamed));
    if (auto misfit = fault_misfit(plan); !misfit.empty()) {
        plan = error_plan(400, misfit, &req);
        return plan;
    }
    // Each pause is within --max-delay; the whole answer must be within twice it.
    if (plan.stream || plan.fault.what == fault::kind::slow_headers) {
        const auto longest_delay = knobs->random_delay ? knobs->random_delay->upper_bound() : knobs->delay;
        const auto limit = max_answer_time(ctx.max_delay);
        if (auto t = planned_answer_time(plan, longest_delay, ctx.max_delay); t.total > limit)
            plan = error_plan(400,
                              "this answer would take " + format_duration(t.total) + ": " + t.arithmetic +
                                  "; an answer may take at most twice --max-delay, " + format_duration(limit),
                              &req);
    }
    return plan;
}

}  // namespace teapot::detail

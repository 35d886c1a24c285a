#include "faults/fault_syntax.hpp"

#include "faults/h2_codes.hpp"
#include "faults/tls_alerts.hpp"

#include "util/byte_size.hpp"
#include "util/duration.hpp"
#include "util/whole_number.hpp"

#include <array>
#include <utility>

namespace teapot::detail {
namespace {

// The most bytes of garbage a fault sends: enough to break any parser.
constexpr std::size_t max_garbage = 1024 * 1024;
// The longest pause of a pacing: beyond it a client's own timeout is the test, and `hang` says so better.
constexpr std::chrono::milliseconds max_interval{60'000};
// wrong_length's largest offset.
constexpr std::int64_t max_length_delta = 1'000'000'000;

// continuation's most frames: past any client's CONTINUATION-flood guard (nghttp2's is 8), 90 KiB of frames.
constexpr std::uint32_t max_continuations = 10'000;

// ping's most PINGs, and how long its answer waits for their acks at most by default.
constexpr std::uint32_t max_pings = 64;
constexpr std::chrono::milliseconds ping_wait{1000};

// max_streams' largest setting: --http2-max-streams' own bound.
constexpr std::uint32_t max_max_streams = 1000;

constexpr std::array<std::pair<std::string_view, fault::kind>, 24> names{{
    {"reset", fault::kind::reset},
    {"close", fault::kind::close},
    {"hang", fault::kind::hang},
    {"garbage", fault::kind::garbage},
    {"truncate", fault::kind::truncate},
    {"bad-chunk", fault::kind::bad_chunk},
    {"wrong_length", fault::kind::wrong_length},
    {"early-response", fault::kind::early_response},
    {"slow_headers", fault::kind::slow_headers},
    {"tls-no-close-notify", fault::kind::tls_no_close_notify},
    {"tls-bad-record", fault::kind::tls_bad_record},
    {"tls-key-update", fault::kind::tls_key_update},
    {"tls-renegotiate", fault::kind::tls_renegotiate},
    {"tls-alert", fault::kind::tls_alert},
    {"rst_stream", fault::kind::rst_stream},
    {"goaway", fault::kind::goaway},
    {"flow_stall", fault::kind::flow_stall},
    {"unknown_frame", fault::kind::unknown_frame},
    {"continuation", fault::kind::continuation},
    {"table_size_update", fault::kind::table_size_update},
    {"ping", fault::kind::ping},
    {"tiny_window", fault::kind::tiny_window},
    {"max_streams", fault::kind::max_streams},
    {"settings_no_ack", fault::kind::settings_no_ack},
}};

std::optional<fault> fail(std::string& error, std::string message) {
    error = std::move(message);
    return std::nullopt;
}

std::optional<std::size_t> positive_size(std::string_view text) {
    auto n = parse_byte_size(text);
    if (!n || *n == 0) return std::nullopt;
    return n;
}

}  // namespace

std::string_view fault_name(fault::kind what) noexcept {
    for (auto [name, k] : names)
        if (k == what) return name;
    return "none";
}

std::string_view fault_names() noexcept {
    return "reset, close, hang, garbage, truncate, bad-chunk, wrong_length, early-response, slow_headers, "
           "tls-no-close-notify, tls-bad-record, tls-key-update, tls-renegotiate, tls-alert, rst_stream, goaway, "
           "flow_stall, unknown_frame, continuation, table_size_update, ping, tiny_window, max_streams, "
           "settings_no_ack";
}

std::optional<pacing> parse_pacing(std::string_view text, std::string& error) {
    auto slash = text.find('/');
    auto bytes = slash == std::string_view::npos ? std::nullopt : positive_size(text.substr(0, slash));
    auto every = slash == std::string_view::npos ? std::nullopt : parse_duration(text.substr(slash + 1));
    if (!bytes || !every || every->count() == 0 || *every > max_interval) {
        error = "expected bytes per interval such as 1B/100ms or 256B/1s (at least 1 byte, at most 1m between writes)";
        return std::nullopt;
    }
    return pacing{*bytes, *every};
}

std::optional<pacing> parse_rate(std::string_view text, std::string& error) {
    auto bytes = text.ends_with("/s") ? positive_size(text.substr(0, text.size() - 2)) : std::nullopt;
    if (!bytes) {
        error = "expected a rate in bytes per second such as 2KB/s or 100B/s";
        return std::nullopt;
    }
    // 20 writes a second keep the flow smooth; slower than 20 B/s, one byte at a time.
    constexpr std::size_t writes_per_second = 20;
    if (*bytes >= writes_per_second)
        return pacing{*bytes / writes_per_second, std::chrono::milliseconds{1000 / writes_per_second}};
    return pacing{1, std::chrono::milliseconds{1000 / static_cast<long long>(*bytes)}};
}

std::optional<fault> parse_fault(std::string_view name, std::string_view value, std::string& error) {
    fault f;
    bool known = false;
    for (auto [n, k] : names) {
        if (n != name) continue;
        f.what = k;
        known = true;
    }
    if (!known)
        return fail(error, "unknown fault '" + std::string{name} + "'; expected one of: " + std::string{fault_names()});
    const std::string label{name};
    switch (f.what) {
        case fault::kind::reset:
        case fault::kind::close:
        case fault::kind::bad_chunk:
        case fault::kind::early_response:
        case fault::kind::tls_key_update:
        case fault::kind::tls_renegotiate:
        case fault::kind::unknown_frame:
        case fault::kind::table_size_update:
        case fault::kind::settings_no_ack:
            if (!value.empty()) return fail(error, "fault " + label + " takes no value");
            return f;
        case fault::kind::hang:
            if (value.empty()) return f;  // until --max-delay
            f.hang_for = parse_duration(value);
            if (!f.hang_for) return fail(error, "fault hang takes a duration such as 30s");
            return f;
        case fault::kind::garbage:
        case fault::kind::truncate: {
            // truncate:100B:reset ends with RST instead of FIN (a step's `end: reset`).
            if (f.what == fault::kind::truncate && value.ends_with(":reset")) {
                f.reset_at_end = true;
                value.remove_suffix(6);
            } else if (f.what == fault::kind::truncate && value.ends_with(":fin")) {
                value.remove_suffix(4);
            }
            auto n = value.empty() ? std::optional<std::size_t>{} : parse_byte_size(value);
            bool garbage = f.what == fault::kind::garbage;
            if (!n || (garbage && (*n == 0 || *n > max_garbage)))
                return fail(error, garbage ? "fault garbage takes a size from 1B to 1MiB, such as 64B"
                                           : "fault truncate takes the body bytes to send, such as 100B, and "
                                             "its end, :fin (the default) or :reset, such as 100B:reset");
            f.bytes = *n;
            return f;
        }
        case fault::kind::wrong_length: {
            bool signed_ok = value.size() >= 2 && (value.front() == '+' || value.front() == '-');
            // Unsigned after the sign: "+-5" and "--5" are not byte counts.
            const auto magnitude = parse_whole<std::uint64_t>(signed_ok ? value.substr(1) : std::string_view{});
            const auto delta = static_cast<std::int64_t>(magnitude.value_or(0));
            if (!signed_ok || !magnitude || delta <= 0 || delta > max_length_delta)
                return fail(error, "fault wrong_length takes a signed byte count such as +100 or -100");
            f.length_delta = value.front() == '-' ? -delta : delta;
            return f;
        }
        case fault::kind::tls_no_close_notify:
        case fault::kind::tls_bad_record: {
            if (value.empty()) return f;  // all the body, or half of it
            f.body_bytes = parse_byte_size(value);
            if (!f.body_bytes)
                return fail(error, "fault " + label + " takes the body bytes to send first, such as 100B");
            return f;
        }
        case fault::kind::tls_alert: {
            auto description = tls_alert_by_name(value);
            if (!description)
                return fail(error, "fault tls-alert takes an alert's name, one of: " + std::string{tls_alert_names()});
            f.alert = *description;
            return f;
        }
        case fault::kind::rst_stream: {
            // rst_stream:CODE[:before-headers|:after-headers|:mid-body:100B|:after-body]
            const auto colon = value.find(':');
            const auto code = h2_code_by_name(value.substr(0, colon));
            const auto point = colon == std::string_view::npos ? std::string_view{} : value.substr(colon + 1);
            bool valid = code.has_value();
            if (point.starts_with("mid-body:")) {
                auto n = positive_size(point.substr(9));
                valid = valid && n;
                f.at = fault::stream_point::mid_body;
                f.bytes = n.value_or(0);
            } else if (point == "after-headers") {
                f.at = fault::stream_point::after_headers;
            } else if (point == "after-body") {
                f.at = fault::stream_point::after_body;
            } else {
                valid = valid && (point.empty() || point == "before-headers");
            }
            if (!valid)
                return fail(error, "fault rst_stream takes an HTTP/2 error code, one of " +
                                       std::string{h2_code_names()} +
                                       ", then where: :before-headers (the default), :after-headers, :mid-body:100B "
                                       "or :after-body, such as rst_stream:REFUSED_STREAM or "
                                       "rst_stream:INTERNAL_ERROR:mid-body:100B");
            f.h2_code = *code;
            return f;
        }
        case fault::kind::goaway: {
            // goaway:CODE[:after|:notice|:LAST_STREAM_ID]
            const auto colon = value.find(':');
            const auto code = h2_code_by_name(value.substr(0, colon));
            const auto rest = colon == std::string_view::npos ? std::string_view{} : value.substr(colon + 1);
            bool valid = code.has_value();
            if (rest == "after" || rest == "notice") {
                f.after_response = true;
                f.shutdown_notice = rest == "notice";
            } else if (!rest.empty()) {
                f.last_stream_id = parse_whole<std::uint32_t>(rest);
                valid = valid && f.last_stream_id && *f.last_stream_id < (1u << 31);
            }
            if (!valid)
                return fail(
                    error,
                    "fault goaway takes an HTTP/2 error code, one of " + std::string{h2_code_names()} +
                        ", then :after (after the answer), :notice (a shutdown notice before it, the GOAWAY after it) "
                        "or the last stream id, such as goaway:NO_ERROR, goaway:NO_ERROR:after, "
                        "goaway:NO_ERROR:notice or goaway:PROTOCOL_ERROR:0");
            f.h2_code = *code;
            return f;
        }
        case fault::kind::flow_stall:
            if (value.empty()) return f;  // until --max-delay
            f.hang_for = parse_duration(value);
            if (!f.hang_for) return fail(error, "fault flow_stall takes a duration such as 30s");
            return f;
        case fault::kind::continuation: {
            if (value.empty()) {
                f.count = 3;
                return f;
            }
            auto n = parse_whole<std::uint32_t>(value);
            if (!n || *n == 0 || *n > max_continuations)
                return fail(error, "fault continuation takes how many CONTINUATION frames, 1 to " +
                                       std::to_string(max_continuations) + ", such as continuation:9");
            f.count = *n;
            return f;
        }
        case fault::kind::ping: {
            // ping[:N[:WAIT]]
            const auto colon = value.find(':');
            const auto n =
                value.empty() ? std::optional<std::uint32_t>{1} : parse_whole<std::uint32_t>(value.substr(0, colon));
            f.hang_for =
                colon == std::string_view::npos ? std::optional{ping_wait} : parse_duration(value.substr(colon + 1));
            if (!n || *n == 0 || *n > max_pings || !f.hang_for)
                return fail(error, "fault ping takes how many PINGs, 1 to " + std::to_string(max_pings) +
                                       ", then how long the answer waits for their acks (1s if omitted), such as "
                                       "ping:3 or ping:3:500ms");
            f.count = *n;
            return f;
        }
        case fault::kind::tiny_window: {
            // RFC 9113 §6.5.2: a window of at most 2^31-1 bytes; 0 lets no DATA come at all.
            auto n = value.empty() ? std::nullopt : parse_byte_size(value);
            if (!n || *n > 0x7fffffff)
                return fail(error,
                            "fault tiny_window takes the window's size, 0B to 2GiB less a byte, such as "
                            "tiny_window:100B");
            f.bytes = *n;
            return f;
        }
        case fault::kind::max_streams: {
            auto n = parse_whole<std::uint32_t>(value);
            if (!n || *n > max_max_streams)
                return fail(error, "fault max_streams takes how many streams the client may open at once, 0 to " +
                                       std::to_string(max_max_streams) + ", such as max_streams:1");
            f.count = *n;
            return f;
        }
        case fault::kind::slow_headers: {
            auto p = parse_pacing(value, error);
            if (!p) return fail(error, "fault slow_headers: " + error);
            f.pace = *p;
            return f;
        }
        case fault::kind::none: break;
    }
    return f;
}

std::optional<fault> parse_fault_knob(std::string_view text, std::string& error) {
    auto colon = text.find(':');
    if (colon == std::string_view::npos) return parse_fault(text, {}, error);
    auto value = text.substr(colon + 1);
    if (value.empty()) return fail(error, "fault " + std::string{text.substr(0, colon)} + ": a value after ':'");
    return parse_fault(text.substr(0, colon), value, error);
}

}  // namespace teapot::detail

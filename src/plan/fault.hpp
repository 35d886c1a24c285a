#pragma once
// Faults and pacing: how a response breaks or trickles on the wire. Plain data,
// decided by handlers and scenario steps, carried out by the fault writer
// (faults/fault_writer.hpp). docs/faults.md describes each one's exact bytes.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace teapot::detail {

/// `bytes` every `every`: "256B/100ms", {chunk: 256B, every: 100ms}, or a rate.
struct pacing {
    std::size_t bytes = 1;
    std::chrono::milliseconds every{0};
    /// Set: a piece runs through the next `piece_end` instead of `bytes` (a server-sent
    /// event's "\n\n", a line's "\n"), so that each pause falls between two whole messages.
    std::string_view piece_end{};

    /// The length of the piece that starts `rest`.
    std::size_t piece_length(std::string_view rest) const noexcept {
        if (piece_end.empty()) return rest.size() < bytes ? rest.size() : bytes;
        const auto end = rest.find(piece_end);
        return end == std::string_view::npos ? rest.size() : end + piece_end.size();
    }
};

struct fault {
    enum class kind {
        none,
        reset,           ///< read the request, then RST (SO_LINGER 0); nothing sent
        close,           ///< read the request, then FIN; nothing sent (what 444 does)
        hang,            ///< read the request, never answer; close after `hang_for` or --max-delay
        garbage,         ///< `bytes` of seeded random data, then FIN
        truncate,        ///< full Content-Length, `bytes` of the body, then FIN (or RST with reset_at_end)
        bad_chunk,       ///< chunked, then an invalid chunk-size line, then FIN
        wrong_length,    ///< Content-Length off by `length_delta` from the body sent
        early_response,  ///< answer before reading the request body, then close
        slow_headers,    ///< the status line and fields dribbled by `pace`
        // Over TLS only (docs/tls.md, "Record faults"): below HTTP, in the TLS stream itself.
        tls_no_close_notify,  ///< body framed by the connection's end, `body_bytes` of it, then FIN without
                              ///< close_notify
        tls_bad_record,       ///< `body_bytes` of the body, then a record that fails decryption, then FIN
        tls_key_update,       ///< TLS 1.3: the head, a KeyUpdate asking for the client's, then the body
        tls_renegotiate,      ///< TLS 1.2 and before: the head, a HelloRequest and the new handshake, then the body
        tls_alert,            ///< half the body, then the fatal alert `alert` under the traffic keys, then FIN
        // Over HTTP/2 only (docs/http2.md, "Frame faults"): frames, not bytes.
        rst_stream,  ///< RST_STREAM(h2_code) at `stream_point`
        goaway,      ///< GOAWAY(h2_code) naming `last_stream_id`, before the response, or after it (`after_response`)
        flow_stall,  ///< the head, then no DATA, as if the window stayed closed; RST_STREAM(CANCEL) after hang_for
        // Wire lies (wire/h2_wire_lies.hpp): the response whole, its final HEADERS frame told otherwise.
        unknown_frame,      ///< a frame of an unknown type on the stream just before its HEADERS
        continuation,       ///< the head's block split over `frames` CONTINUATION frames
        table_size_update,  ///< the head's block opening with a dynamic table size update (to the size in use)
        ping,  ///< `count` PINGs before the answer, which waits for their acks up to hang_for (the journal counts them)
        // Settings for the rest of the connection, sent before the answer (a SETTINGS frame).
        tiny_window,  ///< SETTINGS_INITIAL_WINDOW_SIZE of `bytes`: the client's DATA to teapot in pieces that small
        max_streams,  ///< SETTINGS_MAX_CONCURRENT_STREAMS of `count` (0: no new stream)
        // The connection's start: only a request made before the client's SETTINGS (the h2c upgrade's) can ask.
        settings_no_ack,  ///< the client's SETTINGS never acknowledged, for the rest of the connection
    };
    /// Where rst_stream cuts the stream.
    enum class stream_point {
        before_headers,  ///< nothing of the response
        after_headers,   ///< the final head, no DATA
        mid_body,        ///< the head and `bytes` of the body
        after_body,      ///< the head and all of the body, without END_STREAM
    };
    kind what = kind::none;
    std::optional<std::chrono::milliseconds> hang_for;  ///< hang: nullopt until --max-delay
    std::size_t bytes = 0;           ///< garbage: how many; truncate: body bytes sent; tiny_window: the window
    bool reset_at_end = false;       ///< truncate with `end: reset`
    std::int64_t length_delta = 0;   ///< wrong_length: +N or -N, never 0
    pacing pace;                     ///< slow_headers
    std::uint64_t garbage_seed = 0;  ///< garbage: drawn per request
    /// tls-no-close-notify and tls-bad-record: the body bytes sent first; nullopt: all, and half.
    std::optional<std::size_t> body_bytes{};
    unsigned char alert = 0;    ///< tls_alert: the AlertDescription (RFC 8446 §6), 80 for internal_error
    std::uint32_t h2_code = 0;  ///< rst_stream, goaway: the error code (RFC 9113 §7)
    stream_point at = stream_point::before_headers;  ///< rst_stream
    /// goaway: the last stream processed; nullopt: the one before this request's (it was not processed).
    std::optional<std::uint32_t> last_stream_id{};
    bool after_response = false;   ///< goaway: after the answer (a graceful drain), not before it
    bool shutdown_notice = false;  ///< goaway: and before the answer, a GOAWAY naming 2^31-1 (RFC 9113 §6.8)
    std::uint32_t count = 0;       ///< continuation: how many CONTINUATION frames; ping: how many PINGs; max_streams

    bool active() const noexcept { return what != kind::none; }
    /// reset, close, hang and garbage send no part of the response: status, headers and body are moot.
    bool sends_no_response() const noexcept {
        return what == kind::reset || what == kind::close || what == kind::hang || what == kind::garbage;
    }
    /// truncate, bad_chunk and wrong_length work on the body: they need a status that has one.
    bool needs_body() const noexcept {
        return what == kind::truncate || what == kind::bad_chunk || what == kind::wrong_length ||
               what == kind::tls_no_close_notify || what == kind::tls_bad_record;
    }
    /// How many body bytes truncate and the tls- faults that take a count send; nullopt for the others.
    std::optional<std::size_t> kept_bytes() const noexcept {
        if (what == kind::truncate || (what == kind::rst_stream && at == stream_point::mid_body)) return bytes;
        return body_bytes;
    }
    /// The frame faults work on HTTP/2's frames: over HTTP/1 there are none.
    bool needs_http2() const noexcept {
        return what == kind::rst_stream || what == kind::goaway || what == kind::flow_stall ||
               what == kind::unknown_frame || what == kind::continuation || what == kind::table_size_update ||
               what == kind::ping || what == kind::tiny_window || what == kind::max_streams ||
               what == kind::settings_no_ack;
    }
    /// The tls- faults work on the TLS stream: over plain HTTP there is none to break.
    bool needs_tls() const noexcept {
        return what == kind::tls_no_close_notify || what == kind::tls_bad_record || what == kind::tls_key_update ||
               what == kind::tls_renegotiate || what == kind::tls_alert;
    }
};

/// The name as written in scenarios and ?fault=: "reset", "bad-chunk", "wrong_length"...
std::string_view fault_name(fault::kind what) noexcept;

}  // namespace teapot::detail

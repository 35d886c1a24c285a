#pragma once
// HTTP/2's frames for one connection, through nghttp2 (Debian's 1.52: its pre-1.60 names), and
// nothing of sockets: bytes in (receive), bytes out (take_output), requests and stream ends as
// callbacks. The connection (wire/h2_connection) does the I/O and the timers; the fuzz target
// feeds bytes straight in. docs/http2.md.

#include "plan/request.hpp"
#include "plan/response_plan.hpp"
#include "wire/body_budget.hpp"
#include "wire/h2_wire_lies.hpp"

#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct nghttp2_session;

namespace teapot::detail {

/// What an HTTP/2 connection lets a client do (docs/http2.md, "Limits").
struct h2_limits {
    std::size_t max_header_bytes =
        16 * 1024;  ///< a stream's field names and values, 32 bytes more a field (RFC 9113 §6.5.2)
    std::size_t max_header_fields = 100;
    std::size_t max_body_bytes = 1024 * 1024;
    std::uint32_t max_concurrent_streams = 100;
};

/// One stream: the request as it arrives, then the response as it leaves.
/// How a connection is cut once what was taken to send has been written: a FIN (close_notify
/// first over TLS), an RST, or one of the tls- faults' ends: a FIN without close_notify, after
/// a record no key decrypts, or after a fatal alert (docs/http2.md, "HTTP/1's wire faults").
enum class h2_cut { none, fin, reset, fin_without_close_notify, undecryptable_record, tls_alert };

struct h2_stream {
    h2_stream(std::int32_t stream_id, body_budget* bodies) : id(stream_id), charge(bodies) {}

    std::int32_t id = 0;
    // The request.
    std::string method, path, authority, scheme;
    std::vector<std::pair<std::string, std::string>> fields;          ///< regular fields, names lower-case, as sent
    std::vector<std::pair<std::string, std::string>> trailer_fields;  ///< a HEADERS frame after the DATA
    std::string body;
    body_charge charge;           ///< the body's share of --max-body-memory
    std::size_t field_bytes = 0;  ///< counted as SETTINGS_MAX_HEADER_LIST_SIZE counts them
    /// Non-zero: the request broke a limit (431, 413, 503) and gets that status instead of a route's answer.
    int refused_with = 0;
    std::string refusal;  ///< why, for the error body
    bool request_complete = false;
    /// Answered from its head (an early response, RFC 9113 §8.1): the rest of the request is not
    /// routed, and RST_STREAM(NO_ERROR) follows the response's END_STREAM.
    bool answered_early = false;
    // The response.
    response_body out;                                              ///< what DATA frames carry
    std::size_t sent = 0;                                           ///< of `out`
    std::size_t allowed = std::numeric_limits<std::size_t>::max();  ///< pacing: DATA stops here, deferred
    std::vector<header_field> trailers;                             ///< a HEADERS frame after the DATA
    bool deferred = false;
    // A frame fault's cut (rst_stream, truncate, the tls- faults): once `sent` reaches reset_after
    // (after the final head), RST_STREAM(reset_code), or the connection's cut when there is one
    // (with `alert`, tls_alert's). A body that ends at reset_after ends without END_STREAM.
    std::size_t reset_after = std::numeric_limits<std::size_t>::max();
    std::uint32_t reset_code = 0;
    h2_cut cut_connection = h2_cut::none;
    unsigned char alert = 0;
    bool cut_done = false;
    std::size_t interim_heads = 0;  ///< 1xx HEADERS before the final one
    std::size_t heads_sent = 0;     ///< HEADERS frames sent so far
    /// Set: a GOAWAY with this code, naming this stream, once it closes (goaway:CODE:after).
    std::optional<std::uint32_t> goaway_after;
    std::uint32_t pings_sent = 0;   ///< the ping fault's PINGs (64 at most)
    std::uint64_t pings_acked = 0;  ///< which of them the client acknowledged, a bit each (a repeated ack counts once)
    std::uint32_t pings_acknowledged() const { return static_cast<std::uint32_t>(std::popcount(pings_acked)); }
    bool reset_by_us = false;      ///< its end is teapot's (a reset, a GOAWAY, a cut), not the client's
    bool responded = false;        ///< the final HEADERS are submitted
    bool closed = false;           ///< nghttp2 closed it (sent all, reset, or the connection ended)
    std::uint32_t close_code = 0;  ///< the RST_STREAM or GOAWAY code, 0 (NO_ERROR) for a stream done
    /// Called once, when the stream closes (also when the connection ends with it open):
    /// `wake` ends the wait of an answer that waits (its timer), `on_closed` completes the journal entry.
    std::function<void()> wake;
    std::function<void()> on_closed;
    // Since when the client has owed this stream something (stamped by h2_session::owed_deadline):
    // its request's rest, or taking DATA that is ready. A trickle does not move them.
    std::optional<std::chrono::steady_clock::time_point> request_owed_since, read_owed_since;
};

/// An HTTP/1.1 request that asked for h2c (RFC 7540 §3.2): its SETTINGS (decoded from
/// HTTP2-Settings), and itself as stream 1, which HTTP/2 answers.
struct h2_upgrade {
    std::string settings;
    std::shared_ptr<h2_stream> stream;
    bool head = false;  ///< a HEAD request: the answer's content-length describes no DATA
};

class h2_session {
public:
    /// `on_request`: a stream's request is complete (or refused), called from inside receive().
    /// `bodies`: --max-body-memory, shared by every connection (null: no budget).
    h2_session(const h2_limits& limits, body_budget* bodies,
               std::function<void(std::shared_ptr<h2_stream>)> on_request);
    ~h2_session();
    /// Called when a request's head is whole and its content is still to come (not for a request
    /// without content): a connection may answer it now (early responses).
    void on_request_head(std::function<void(std::shared_ptr<h2_stream>)> on_head) { on_head_ = std::move(on_head); }
    h2_session(const h2_session&) = delete;
    h2_session& operator=(const h2_session&) = delete;

    /// Opens stream 1 with the upgraded request (before any receive()), and hands it to on_request;
    /// false when nghttp2 refuses the SETTINGS.
    bool upgrade(h2_upgrade upgrade);
    /// Feeds what the client sent (after the connection preface, which is the first bytes).
    /// False: a connection error; a GOAWAY waits in the output, then the connection ends.
    bool receive(const unsigned char* data, std::size_t size);
    /// Appends the frames ready to send to `out`, up to about `limit` bytes.
    void take_output(std::string& out, std::size_t limit);
    /// Whether nghttp2 has frames to send, or could once data is resumed.
    bool wants_write() const;
    /// False once the session is over (GOAWAY both ways, or a connection error, and no stream open).
    bool alive() const;
    std::size_t open_streams() const noexcept { return streams_.size(); }
    /// When the client's time runs out on what it owes the open streams: a request's rest
    /// within `request_time` of when its stream was first seen incomplete, DATA ready to send
    /// taken within `read_time` of when it was first seen waiting (for the client's window, or
    /// the socket). time_point::max() when it owes nothing (every stream waits for its answer).
    std::chrono::steady_clock::time_point owed_deadline(std::chrono::steady_clock::time_point now,
                                                        std::chrono::steady_clock::duration request_time,
                                                        std::chrono::steady_clock::duration read_time);

    /// A 1xx head: a HEADERS frame without END_STREAM (RFC 9113 §8.1).
    void submit_interim(h2_stream& s, const message_head& head, std::string_view server_header);
    /// The final head, then `body` as DATA (none when omitted), then the trailers if any.
    /// `content_length`: the field to send, none for 204, 304 and a trailered body.
    void submit_response(h2_stream& s, const message_head& head, std::string_view server_header,
                         std::optional<std::uint64_t> content_length, response_body body, bool omit_body,
                         std::vector<header_field> trailers);
    /// Pacing: lets DATA run to `allowed` bytes of the body (resumes a deferred stream).
    void allow(h2_stream& s, std::size_t allowed);
    /// Tells `lie` with the stream's final HEADERS frame (submit it before the response).
    void lie(const h2_stream& s, const h2_lie& lie) {
        if (!s.closed) lies_.tell(s.id, lie);  // a closed stream's lie would never be forgotten
    }
    /// The writer's marks in what take_output took (h2_wire_lies.hpp), moved to `to`.
    void take_marks(std::deque<h2_write_mark>& to) { lies_.take_marks(to); }
    /// The client's SETTINGS are never acknowledged from now on (settings_no_ack).
    void withhold_settings_acks() noexcept { lies_.withhold_settings_acks(); }
    /// The dynamic table's size that nghttp2's encoder keeps: the client's SETTINGS_HEADER_TABLE_SIZE,
    /// 4 096 at most (nghttp2's own bound).
    std::uint32_t header_table_size() const;
    /// `count` PINGs for the stream (RFC 9113 §6.7), their acks counted in its pings_acked; `wake`
    /// runs when the last comes back.
    void ping(h2_stream& s, std::uint32_t count);
    /// A SETTINGS frame with one setting (RFC 9113 §6.5), for the rest of the connection.
    void settings(std::int32_t id, std::uint32_t value);
    /// RST_STREAM with `code` (RFC 9113 §7).
    void reset(h2_stream& s, std::uint32_t code);
    /// GOAWAY naming the last stream processed: no new stream, the open ones finish.
    void go_away(std::uint32_t code);
    /// GOAWAY naming 2^31-1 (RFC 9113 §6.8): the connection is going away; a real GOAWAY follows.
    void shutdown_notice();
    /// GOAWAY naming `last_stream_id`, then the end of the connection (nghttp2's terminate).
    void terminate(std::uint32_t last_stream_id, std::uint32_t code);

    /// How the connection is to be cut once what is taken to send has been written.
    using cut = h2_cut;
    void cut_connection(cut how, unsigned char alert = 0) noexcept {
        if (cut_ != cut::none) return;
        cut_ = how;
        cut_alert_ = alert;
    }
    cut pending_cut() const noexcept { return cut_; }
    unsigned char pending_cut_alert() const noexcept { return cut_alert_; }  ///< for cut::tls_alert
    /// Ends every open stream (the connection is gone): their on_closed run, with `code`.
    void close_all(std::uint32_t code);

private:
    friend struct h2_callbacks;
    std::shared_ptr<h2_stream> find(std::int32_t id) const;
    void complete_request(h2_stream& s);
    void ping_acked(const std::uint8_t* opaque);
    void close_stream(std::int32_t id, std::uint32_t code);

    h2_limits limits_;
    body_budget* bodies_;
    std::function<void(std::shared_ptr<h2_stream>)> on_request_;
    std::function<void(std::shared_ptr<h2_stream>)> on_head_;
    nghttp2_session* session_ = nullptr;
    std::map<std::int32_t, std::shared_ptr<h2_stream>> streams_;
    h2_wire_lies lies_;
    cut cut_ = cut::none;
    unsigned char cut_alert_ = 0;
};

}  // namespace teapot::detail

#include "wire/h2_answer.hpp"

#include "faults/garbage.hpp"

#include <nghttp2/nghttp2.h>

namespace teapot::detail {

namespace {

// A cut at a point of the response (rst_stream after the head or mid-body, truncate, the tls-
// faults' ends): the session resets the stream, or cuts the connection, once that many body
// bytes are sent.
void plan_cut(h2_stream& s, const fault& f, std::size_t body_size) {
    using kind = fault::kind;
    switch (f.what) {
        case kind::rst_stream:
            s.reset_code = f.h2_code;
            s.reset_after = f.at == fault::stream_point::after_headers ? 0
                            : f.at == fault::stream_point::mid_body    ? f.bytes
                                                                       : body_size;
            return;
        case kind::truncate:
            s.reset_code = NGHTTP2_INTERNAL_ERROR;  // truncate:N: N bytes, then the stream's reset
            s.reset_after = f.bytes;
            if (f.reset_at_end) s.cut_connection = h2_cut::reset;  // truncate:N:reset: then the connection's RST
            return;
        // As over HTTP/1.1: what each keeps of the body (all, half, half, or the count given), then its end.
        case kind::tls_no_close_notify:
            s.reset_after = f.body_bytes.value_or(body_size);
            s.cut_connection = h2_cut::fin_without_close_notify;
            return;
        case kind::tls_bad_record:
            s.reset_after = f.body_bytes.value_or(body_size / 2);
            s.cut_connection = h2_cut::undecryptable_record;
            return;
        case kind::tls_alert:
            s.reset_after = body_size / 2;
            s.cut_connection = h2_cut::tls_alert;
            s.alert = f.alert;
            return;
        default: return;
    }
}

// The frames that go with the response (before its HEADERS, or once it closes).
void plan_frames_around(h2_session& session, h2_stream& s, const response_plan& p) {
    const auto& f = p.fault;
    using kind = fault::kind;
    switch (f.what) {
        case kind::goaway:
            if (f.shutdown_notice) session.shutdown_notice();
            s.goaway_after = f.h2_code;
            break;
        case kind::tiny_window:  // before the HEADERS: for this connection's next DATA
            session.settings(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<std::uint32_t>(f.bytes));
            break;
        case kind::max_streams: session.settings(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, f.count); break;
        case kind::unknown_frame:
        case kind::continuation:
        case kind::table_size_update: {
            h2_lie lie;
            lie.unknown_frame = f.what == kind::unknown_frame;
            lie.continuations = f.what == kind::continuation ? f.count : 0;
            lie.heads_before = p.interim.size();
            if (f.what == kind::table_size_update) lie.table_size_update = session.header_table_size();
            session.lie(s, lie);
            break;
        }
        // The final head marked for the writer: dribbled, or followed by a KeyUpdate before anything else.
        case kind::slow_headers: {
            h2_lie lie;
            lie.heads_before = p.interim.size();
            lie.paced = f.pace;
            session.lie(s, lie);
            break;
        }
        case kind::tls_key_update: {
            h2_lie lie;
            lie.heads_before = p.interim.size();
            lie.key_update_after = true;
            session.lie(s, lie);
            break;
        }
        default: break;
    }
}

}  // namespace

std::string submit_plan(h2_session& session, h2_stream& s, const response_plan& p, std::string_view server_header) {
    const auto& f = p.fault;
    using kind = fault::kind;
    if (p.action == response_plan::kind::close_silently) {
        // 444 sends nothing: the stream ends with RST_STREAM(INTERNAL_ERROR) (docs/http2.md, "444").
        session.reset(s, NGHTTP2_INTERNAL_ERROR);
        return {};
    }
    if (p.action == response_plan::kind::http11_required) {
        session.reset(s, NGHTTP2_HTTP_1_1_REQUIRED);  // RFC 9113 §7: the client may retry over HTTP/1.1
        return {};
    }
    if (f.what == kind::reset || f.what == kind::close || f.what == kind::garbage) {
        // The connection's bytes, as over HTTP/1: an RST, a FIN, or garbage then a FIN, for every stream on it.
        session.cut_connection(f.what == kind::reset ? h2_session::cut::reset : h2_session::cut::fin);
        s.reset_by_us = true;
        return f.what == kind::garbage ? garbage_bytes(f.bytes, f.garbage_seed) : std::string{};
    }
    if (f.what == kind::rst_stream && f.at == fault::stream_point::before_headers) {
        session.reset(s, f.h2_code);
        return {};
    }
    if (f.what == kind::goaway && !f.after_response) {
        // GOAWAY, then the end of the connection: this stream and any after the named one were not processed.
        const auto before = static_cast<std::uint32_t>(s.id > 2 ? s.id - 2 : 0);
        session.terminate(f.last_stream_id.value_or(before), f.h2_code);
        s.reset_by_us = true;
        return {};
    }
    if (f.what == kind::hang) return {};  // nothing, until the connection's answer_later resets the stream
    for (const auto& head : p.interim) session.submit_interim(s, head, server_header);
    s.interim_heads = p.interim.size();
    std::optional<std::uint64_t> length;
    if (p.body_framing == framing::content_length) length = p.body.size();
    if (p.stream || f.what == kind::flow_stall) s.allowed = 0;  // answer_later lets it out, or never
    plan_cut(s, f, p.body.size());
    if (f.what == kind::wrong_length && length)
        length = static_cast<std::uint64_t>(static_cast<std::int64_t>(*length) + f.length_delta);
    plan_frames_around(session, s, p);
    session.submit_response(s, p.final_head, server_header, length, p.body, p.omit_body, p.trailers);
    return {};
}

}  // namespace teapot::detail

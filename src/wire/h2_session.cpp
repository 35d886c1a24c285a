#include "wire/h2_session.hpp"

#include "util/ascii.hpp"
#include "util/field_syntax.hpp"
#include "util/http_date.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>

namespace teapot::detail {
namespace {

// A head as nghttp2 takes it: lower-case names (RFC 9113 §8.2.1), :status first, no
// connection-specific fields; nghttp2 copies the names and values when the frame is submitted.
class header_block {
public:
    header_block(const message_head& head, std::string_view server_header, std::optional<std::uint64_t> length) {
        text_.reserve(head.headers.size() * 2 + 6);
        add(":status", std::to_string(head.status));
        bool own_date = false, own_server = false;
        for (const auto& h : head.headers) {
            if (is_connection_specific_field(h.name) || (length && iequals(h.name, "Content-Length"))) continue;
            own_date = own_date || iequals(h.name, "Date");
            own_server = own_server || iequals(h.name, "Server");
            add(ascii_lower(h.name), h.value);
        }
        if (!own_date) add("date", std::string{current_http_date()});
        if (!own_server && !server_header.empty()) add("server", std::string{server_header});
        if (length) add("content-length", std::to_string(*length));
    }
    explicit header_block(const std::vector<header_field>& fields) {
        for (const auto& h : fields)
            if (!is_connection_specific_field(h.name)) add(ascii_lower(h.name), h.value);
    }

    const nghttp2_nv* data() {
        nv_.clear();
        for (std::size_t i = 0; i + 1 < text_.size(); i += 2)
            nv_.push_back({reinterpret_cast<std::uint8_t*>(text_[i].data()),
                           reinterpret_cast<std::uint8_t*>(text_[i + 1].data()), text_[i].size(), text_[i + 1].size(),
                           NGHTTP2_NV_FLAG_NONE});
        return nv_.data();
    }
    std::size_t size() const noexcept { return text_.size() / 2; }

private:
    void add(std::string name, std::string value) {
        text_.push_back(std::move(name));
        text_.push_back(std::move(value));
    }

    std::vector<std::string> text_;  ///< name, value, name, value...
    std::vector<nghttp2_nv> nv_;
};

h2_session& session_of(void* user_data) { return *static_cast<h2_session*>(user_data); }

// No exception may cross nghttp2's C frames: one (bad_alloc, from a field stored or an answer
// routed) fails the callback, and nghttp2 ends the session: this connection only, as over HTTP/1.
template <auto callback, typename Result, typename... Args>
Result guarded(Args... args) noexcept {
    try {
        return callback(args...);
    } catch (...) {
        return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
}

// Keeps `since` while the client owes (the first time seen), clears it once it does not; the
// deadline it sets, if earlier.
void stamp(std::optional<std::chrono::steady_clock::time_point>& since, bool owed,
           std::chrono::steady_clock::time_point now, std::chrono::steady_clock::duration allowed,
           std::chrono::steady_clock::time_point& deadline) {
    if (!owed) {
        since.reset();
        return;
    }
    if (!since) since = now;
    deadline = std::min(deadline, *since + allowed);
}

}  // namespace

// nghttp2's callbacks, friends of the session: each finds its stream and does one thing.
struct h2_callbacks {
    static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
        auto& self = session_of(user_data);
        if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
        self.streams_[frame->hd.stream_id] = std::make_shared<h2_stream>(frame->hd.stream_id, self.bodies_);
        return 0;
    }

    static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name_data,
                         std::size_t name_length, const std::uint8_t* value_data, std::size_t value_length,
                         std::uint8_t /*flags*/, void* user_data) {
        auto& self = session_of(user_data);
        auto s = self.find(frame->hd.stream_id);
        if (!s) return 0;
        const std::string_view name{reinterpret_cast<const char*>(name_data), name_length};
        const std::string_view value{reinterpret_cast<const char*>(value_data), value_length};
        s->field_bytes += name.size() + value.size() + 32;
        const bool trailer = frame->headers.cat == NGHTTP2_HCAT_HEADERS;
        const auto count = s->fields.size() + s->trailer_fields.size() + 1;
        if (s->field_bytes > self.limits_.max_header_bytes || count > self.limits_.max_header_fields) {
            if (!s->refused_with) {
                s->refused_with = 431;
                s->refusal = "the request's fields pass --max-header-bytes or --max-header-fields";
                std::vector<std::pair<std::string, std::string>>{}.swap(s->fields);
                std::vector<std::pair<std::string, std::string>>{}.swap(s->trailer_fields);
            }
            return 0;
        }
        if (s->refused_with == 431) return 0;
        if (name == ":method")
            s->method = value;
        else if (name == ":path")
            s->path = value;
        else if (name == ":authority")
            s->authority = value;
        else if (name == ":scheme")
            s->scheme = value;
        else if (!name.starts_with(':'))
            (trailer ? s->trailer_fields : s->fields).emplace_back(name, value);
        return 0;
    }

    static int on_data_chunk(nghttp2_session*, std::uint8_t /*flags*/, std::int32_t stream_id, const std::uint8_t* data,
                             std::size_t length, void* user_data) {
        auto& self = session_of(user_data);
        auto s = self.find(stream_id);
        if (!s || s->refused_with) return 0;  // a refused body is read (flow control) and dropped
        const auto size = s->body.size() + length;
        if (size > self.limits_.max_body_bytes) {
            s->refused_with = 413;
            s->refusal = "the request's content passes --max-body-size";
        } else if (!s->charge.cover(size)) {
            s->refused_with = 503;
            s->refusal = "request bodies held at once would pass --max-body-memory: try again shortly";
        } else {
            s->body.append(reinterpret_cast<const char*>(data), length);
            return 0;
        }
        std::string{}.swap(s->body);
        self.complete_request(*s);  // answered now, as HTTP/1 answers 413 before the body
        return 0;
    }

    static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
        auto& self = session_of(user_data);
        if (frame->hd.type == NGHTTP2_PING && (frame->hd.flags & NGHTTP2_FLAG_ACK)) {
            self.ping_acked(frame->ping.opaque_data);
            return 0;
        }
        if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
        auto s = self.find(frame->hd.stream_id);
        if (!s) return 0;
        if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)
            self.complete_request(*s);
        else if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST && self.on_head_)
            self.on_head_(s);  // content to come: the connection may answer from the head
        return 0;
    }

    static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t code, void* user_data) {
        session_of(user_data).close_stream(stream_id, code);
        return 0;
    }

    // A frame fault's cut comes after what it keeps: the final head, and `reset_after` bytes of DATA.
    static int on_frame_send(nghttp2_session* session, const nghttp2_frame* frame, void* user_data) {
        auto& self = session_of(user_data);
        if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
        auto s = self.find(frame->hd.stream_id);
        if (!s) return 0;
        if (frame->hd.type == NGHTTP2_HEADERS) ++s->heads_sent;
        // RFC 9113 §8.1: a complete response before the request's end, then NO_ERROR: stop sending.
        if (s->answered_early && (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) && s->heads_sent > s->interim_heads)
            nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_NO_ERROR);
        if (s->cut_done || s->heads_sent <= s->interim_heads || s->sent < s->reset_after) return 0;
        s->cut_done = true;  // once; DATA stays deferred at reset_after
        s->reset_by_us = true;
        if (s->cut_connection != h2_cut::none)
            self.cut_connection(s->cut_connection, s->alert);
        else
            nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, s->id, s->reset_code);
        return 0;
    }

    static ssize_t read_body(nghttp2_session* session, std::int32_t stream_id, std::uint8_t* buf, std::size_t length,
                             std::uint32_t* flags, nghttp2_data_source* source, void*) {
        auto& s = *static_cast<h2_stream*>(source->ptr);
        const auto body = s.out.view();
        const auto limit = std::min({body.size(), s.allowed, s.reset_after});
        const auto n = std::min(length, limit - std::min(limit, s.sent));
        if (n == 0 && s.sent < body.size()) {  // paced, or cut at reset_after: deferred (for good, when cut)
            s.deferred = true;
            return NGHTTP2_ERR_DEFERRED;
        }
        std::memcpy(buf, body.data() + s.sent, n);
        s.sent += n;
        if (s.sent == body.size() && s.reset_after == body.size()) {
            *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;  // all of it, then the reset
        } else if (s.sent == body.size()) {
            *flags |= NGHTTP2_DATA_FLAG_EOF;
            if (!s.trailers.empty()) {
                // RFC 9113 §8.1: the trailers end the stream, not the last DATA frame.
                *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
                header_block block{s.trailers};
                nghttp2_submit_trailer(session, stream_id, block.data(), block.size());
            }
        }
        return static_cast<ssize_t>(n);
    }
};

h2_session::h2_session(const h2_limits& limits, body_budget* bodies,
                       std::function<void(std::shared_ptr<h2_stream>)> on_request)
    : limits_(limits), bodies_(bodies), on_request_(std::move(on_request)) {
    nghttp2_session_callbacks* callbacks = nullptr;
    if (nghttp2_session_callbacks_new(&callbacks) != 0) throw std::bad_alloc{};
    nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, guarded<h2_callbacks::on_begin_headers>);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, guarded<h2_callbacks::on_header>);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, guarded<h2_callbacks::on_data_chunk>);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, guarded<h2_callbacks::on_frame_recv>);
    nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, guarded<h2_callbacks::on_stream_close>);
    nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, guarded<h2_callbacks::on_frame_send>);
    nghttp2_option* option = nullptr;
    if (nghttp2_option_new(&option) != 0) {
        nghttp2_session_callbacks_del(callbacks);
        throw std::bad_alloc{};
    }
    // CVE-2023-44487 (rapid reset) and CVE-2024-28182 (CONTINUATION flood): Debian's 1.52
    // has both guards backported; their values are nghttp2's own defaults, set here to be seen.
    nghttp2_option_set_stream_reset_rate_limit(option, 1000, 33);
    nghttp2_option_set_max_continuations(option, 8);
    // RFC 9218's PRIORITY_UPDATE, as nghttp2 applies it (with SETTINGS_NO_RFC7540_PRIORITIES below).
    nghttp2_option_set_builtin_recv_extension_type(option, NGHTTP2_PRIORITY_UPDATE);
    const int made = nghttp2_session_server_new2(&session_, callbacks, this, option);
    nghttp2_option_del(option);
    nghttp2_session_callbacks_del(callbacks);
    if (made != 0) throw std::bad_alloc{};
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, limits_.max_concurrent_streams},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<std::uint32_t>(limits_.max_header_bytes)},
        // RFC 9113 §5.3.2: PRIORITY frames are ignored, no tree of idle and closed streams kept for
        // them; a request's `priority` field and PRIORITY_UPDATE (RFC 9218) order the DATA instead.
        {NGHTTP2_SETTINGS_NO_RFC7540_PRIORITIES, 1},
    };
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
}

h2_session::~h2_session() { nghttp2_session_del(session_); }

bool h2_session::upgrade(h2_upgrade upgrade) {
    const auto* settings = reinterpret_cast<const std::uint8_t*>(upgrade.settings.data());
    if (nghttp2_session_upgrade2(session_, settings, upgrade.settings.size(), upgrade.head ? 1 : 0, nullptr) != 0)
        return false;
    streams_[1] = upgrade.stream;
    on_request_(std::move(upgrade.stream));
    return true;
}

bool h2_session::receive(const unsigned char* data, std::size_t size) {
    const auto used = nghttp2_session_mem_recv(session_, data, size);
    return used >= 0;
}

void h2_session::take_output(std::string& out, std::size_t limit) {
    while (out.size() < limit) {
        const std::uint8_t* frames = nullptr;
        const auto n = nghttp2_session_mem_send(session_, &frames);
        if (n <= 0) return;
        const auto from = out.size();
        out.append(reinterpret_cast<const char*>(frames), static_cast<std::size_t>(n));
        if (!lies_.idle()) lies_.rewrite(out, from);  // a frame at a time: its stream may have closed with it
    }
}

std::uint32_t h2_session::header_table_size() const {
    return std::min(nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_HEADER_TABLE_SIZE), 4096u);
}

bool h2_session::wants_write() const { return nghttp2_session_want_write(session_) != 0; }

bool h2_session::alive() const {
    return nghttp2_session_want_read(session_) != 0 || nghttp2_session_want_write(session_) != 0;
}

void h2_session::submit_interim(h2_stream& s, const message_head& head, std::string_view server_header) {
    if (s.closed) return;
    header_block block{head, server_header, std::nullopt};
    nghttp2_submit_headers(session_, NGHTTP2_FLAG_NONE, s.id, nullptr, block.data(), block.size(), nullptr);
}

void h2_session::submit_response(h2_stream& s, const message_head& head, std::string_view server_header,
                                 std::optional<std::uint64_t> content_length, response_body body, bool omit_body,
                                 std::vector<header_field> trailers) {
    if (s.closed || s.responded) return;
    s.responded = true;
    header_block block{head, server_header, content_length};
    // A cut after the head needs DATA frames to come (or at least no END_STREAM on the HEADERS).
    const bool cut_later = s.reset_after != std::numeric_limits<std::size_t>::max();
    if (!cut_later && (omit_body || (body.empty() && trailers.empty()))) {
        nghttp2_submit_response(session_, s.id, block.data(), block.size(), nullptr);
        return;
    }
    s.out = omit_body ? response_body{} : std::move(body);
    s.trailers = std::move(trailers);
    nghttp2_data_provider provider{};
    provider.source.ptr = &s;  // the stream outlives its data: streams_ holds it until it closes
    provider.read_callback = guarded<h2_callbacks::read_body>;
    nghttp2_submit_response(session_, s.id, block.data(), block.size(), &provider);
}

void h2_session::allow(h2_stream& s, std::size_t allowed) {
    s.allowed = allowed;
    if (s.deferred && !s.closed) {
        s.deferred = false;
        nghttp2_session_resume_data(session_, s.id);
    }
}

void h2_session::reset(h2_stream& s, std::uint32_t code) {
    s.reset_by_us = true;
    if (!s.closed) nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s.id, code);
}

void h2_session::go_away(std::uint32_t code) {
    nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_), code, nullptr,
                          0);
}

void h2_session::terminate(std::uint32_t last_stream_id, std::uint32_t code) {
    nghttp2_session_terminate_session2(session_, static_cast<std::int32_t>(last_stream_id), code);
}

// A PING's 8 bytes of opaque data: "tp", the stream, the PING's number (an ack echoes them, §6.7).
void h2_session::ping(h2_stream& s, std::uint32_t count) {
    if (s.closed) return;
    count = std::min(count, 64u);  // one bit each in pings_acked
    const auto id = static_cast<std::uint32_t>(s.id);
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint8_t opaque[8] = {'t',
                                        'p',
                                        static_cast<std::uint8_t>(id >> 24),
                                        static_cast<std::uint8_t>(id >> 16),
                                        static_cast<std::uint8_t>(id >> 8),
                                        static_cast<std::uint8_t>(id),
                                        static_cast<std::uint8_t>(i >> 8),
                                        static_cast<std::uint8_t>(i)};
        if (nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, opaque) == 0) ++s.pings_sent;
    }
}

void h2_session::ping_acked(const std::uint8_t* opaque) {
    if (opaque[0] != 't' || opaque[1] != 'p') return;  // not one of teapot's
    const auto id = static_cast<std::int32_t>(std::uint32_t{opaque[2]} << 24 | std::uint32_t{opaque[3]} << 16 |
                                              std::uint32_t{opaque[4]} << 8 | opaque[5]);
    auto s = find(id);
    const unsigned number = std::uint32_t{opaque[6]} << 8 | opaque[7];
    if (!s || number >= s->pings_sent) return;  // its stream gone, or not a PING sent
    s->pings_acked |= std::uint64_t{1} << number;
    if (s->pings_acknowledged() == s->pings_sent && s->wake) s->wake();
}

void h2_session::settings(std::int32_t id, std::uint32_t value) {
    const nghttp2_settings_entry entry{id, value};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, &entry, 1);
}

void h2_session::shutdown_notice() { nghttp2_submit_shutdown_notice(session_); }

void h2_session::close_all(std::uint32_t code) {
    while (!streams_.empty()) close_stream(streams_.begin()->first, code);
}

std::chrono::steady_clock::time_point h2_session::owed_deadline(std::chrono::steady_clock::time_point now,
                                                                std::chrono::steady_clock::duration request_time,
                                                                std::chrono::steady_clock::duration read_time) {
    auto deadline = std::chrono::steady_clock::time_point::max();
    for (auto& [id, stream] : streams_) {
        auto& s = *stream;
        // What this server would send now: not what pacing, flow_stall or a cut holds back.
        const auto ready = std::min({s.out.size(), s.allowed, s.reset_after});
        const bool read_owed = s.responded && !s.closed && s.sent < ready;
        stamp(s.request_owed_since, !s.request_complete, now, request_time, deadline);
        // Caught up, a paced body's next part starts afresh.
        stamp(s.read_owed_since, read_owed, now, read_time, deadline);
    }
    return deadline;
}

std::shared_ptr<h2_stream> h2_session::find(std::int32_t id) const {
    auto it = streams_.find(id);
    return it == streams_.end() ? nullptr : it->second;
}

void h2_session::complete_request(h2_stream& s) {
    if (s.request_complete) return;
    s.request_complete = true;
    if (s.answered_early) return;  // answered from its head already
    if (auto held = find(s.id)) on_request_(std::move(held));
}

void h2_session::close_stream(std::int32_t id, std::uint32_t code) {
    auto it = streams_.find(id);
    if (it == streams_.end()) return;
    auto s = std::move(it->second);
    streams_.erase(it);
    s->closed = true;
    s->close_code = code;
    // A lie told with a head never sent is not told; one whose head was just sent still is.
    if (s->heads_sent <= s->interim_heads) lies_.forget(id);
    // goaway:CODE:after: the answer is over; no stream after this one (a graceful drain).
    if (s->goaway_after)
        nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, s->id, static_cast<std::uint32_t>(*s->goaway_after), nullptr,
                              0);
    if (auto wake = std::move(s->wake)) wake();
    if (auto closed = std::move(s->on_closed)) closed();
}

}  // namespace teapot::detail

#pragma once
// Wire lies: what a frame fault says on the wire that nghttp2 would not, told by rewriting the
// frames nghttp2 sends, so that its state stays what the client sees (docs/http2.md, "Wire lies").
// Only a stream's final HEADERS frame is rewritten: it stays one header block, decoded as before;
// and a connection's SETTINGS acknowledgements can be withheld (settings_no_ack). The same frame
// can be marked for the writer instead: dribbled (slow_headers), or followed by a TLS KeyUpdate.

#include "plan/fault.hpp"  // pacing

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::detail {

/// A lie told with one stream's final HEADERS frame.
struct h2_lie {
    bool unknown_frame = false;       ///< a frame of a type no client knows, on the stream, just before it
    std::uint32_t continuations = 0;  ///< its header block split over this many CONTINUATION frames too
    /// Set: a dynamic table size update (RFC 7541 §6.3) opening its header block, to this size.
    std::optional<std::uint32_t> table_size_update;
    std::size_t heads_before = 0;   ///< the stream's HEADERS frames to let pass first (its 1xx)
    std::optional<pacing> paced;    ///< slow_headers: the frame written in these pieces, paused between
    bool key_update_after = false;  ///< tls-key-update: a KeyUpdate right after the frame, before any other

    /// The frame's bytes change (else it is only marked for the writer).
    bool rewrites() const noexcept { return unknown_frame || continuations > 0 || table_size_update.has_value(); }
};

/// Where the writer must do more than write: bytes [begin, end) of the output (a stream's final
/// head, as the lie told it) paced, and or followed by a KeyUpdate.
struct h2_write_mark {
    std::size_t begin = 0, end = 0;
    std::optional<pacing> paced;
    bool key_update_after = false;
};

/// The frame type of unknown_frame: 0xf0 is for experimental use (RFC 9113 §11.2), never
/// assigned, and a client must ignore a frame of a type it does not know (§5.5).
inline constexpr std::uint8_t unknown_frame_type = 0xf0;

class h2_wire_lies {
public:
    /// Tells `lie` with `stream_id`'s final HEADERS frame, when it is sent.
    void tell(std::int32_t stream_id, const h2_lie& lie) { lies_[stream_id] = lie; }
    /// The stream closed: a lie not told yet never will be.
    void forget(std::int32_t stream_id) { lies_.erase(stream_id); }
    /// From now on, SETTINGS frames with the ACK flag are not sent: the client's SETTINGS are never
    /// acknowledged (RFC 9113 §6.5.3), while nghttp2 applies them as it always does.
    void withhold_settings_acks() noexcept { withhold_settings_acks_ = true; }
    /// No lie to tell: the output needs no look.
    bool idle() const noexcept { return lies_.empty() && !withhold_settings_acks_; }
    /// Rewrites the frames appended to `out` from `from` on: whole frames, as nghttp2 sends
    /// them (nghttp2_session_mem_send hands over one frame's buffer at a time).
    void rewrite(std::string& out, std::size_t from);
    /// The marks that rewrite left in the output, in its order, moved to `to`.
    void take_marks(std::deque<h2_write_mark>& to) {
        while (!marks_.empty()) {
            to.push_back(marks_.front());
            marks_.pop_front();
        }
    }

private:
    std::map<std::int32_t, h2_lie> lies_;
    std::deque<h2_write_mark> marks_;
    bool withhold_settings_acks_ = false;
};

/// `headers` (one HEADERS frame, its block whole) as the lie tells it; unchanged when padded,
/// with a priority, or already followed by CONTINUATION frames (nghttp2 sends none of these
/// for a response's head).
std::string lie_about(std::string_view headers, const h2_lie& lie);

}  // namespace teapot::detail

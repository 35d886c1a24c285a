#include "wire/h2_wire_lies.hpp"

#include <algorithm>

namespace teapot::detail {
namespace {

constexpr std::size_t frame_header_size = 9;  // RFC 9113 §4.1
constexpr std::uint8_t type_headers = 0x1, type_settings = 0x4, type_continuation = 0x9;
constexpr std::uint8_t flag_ack = 0x1, flag_end_headers = 0x4, flag_padded = 0x8, flag_priority = 0x20;
// The smallest SETTINGS_MAX_FRAME_SIZE a client may set (RFC 9113 §6.5.2): no piece is larger.
constexpr std::size_t max_payload = 16384;

std::uint32_t read24(std::string_view bytes) {
    return std::uint32_t{static_cast<std::uint8_t>(bytes[0])} << 16 |
           std::uint32_t{static_cast<std::uint8_t>(bytes[1])} << 8 | static_cast<std::uint8_t>(bytes[2]);
}

std::int32_t stream_of(std::string_view header) {
    return static_cast<std::int32_t>((std::uint32_t{static_cast<std::uint8_t>(header[5])} << 24 |
                                      std::uint32_t{static_cast<std::uint8_t>(header[6])} << 16 |
                                      std::uint32_t{static_cast<std::uint8_t>(header[7])} << 8 |
                                      static_cast<std::uint8_t>(header[8])) &
                                     0x7fffffffu);
}

void append_frame(std::string& out, std::uint8_t type, std::uint8_t flags, std::int32_t stream_id,
                  std::string_view payload) {
    const auto length = static_cast<std::uint32_t>(payload.size());
    const auto id = static_cast<std::uint32_t>(stream_id);
    const char header[frame_header_size] = {
        static_cast<char>(length >> 16), static_cast<char>(length >> 8), static_cast<char>(length),
        static_cast<char>(type),         static_cast<char>(flags),       static_cast<char>(id >> 24),
        static_cast<char>(id >> 16),     static_cast<char>(id >> 8),     static_cast<char>(id)};
    out.append(header, frame_header_size);
    out.append(payload);
}

// RFC 7541 §6.3: 001 and the size as an integer with a 5-bit prefix (§5.1).
std::string table_size_update(std::uint32_t size) {
    std::string out;
    if (size < 31) {
        out.push_back(static_cast<char>(0x20 | size));
        return out;
    }
    out.push_back(static_cast<char>(0x20 | 31));
    for (size -= 31; size >= 128; size /= 128) out.push_back(static_cast<char>(0x80 | (size % 128)));
    out.push_back(static_cast<char>(size));
    return out;
}

}  // namespace

std::string lie_about(std::string_view headers, const h2_lie& lie) {
    const auto flags = static_cast<std::uint8_t>(headers[4]);
    if (flags & (flag_padded | flag_priority) || !(flags & flag_end_headers)) return std::string{headers};
    const auto stream_id = stream_of(headers);
    std::string block;
    if (lie.table_size_update) block = table_size_update(*lie.table_size_update);
    block.append(headers.substr(frame_header_size));

    std::string out;
    if (lie.unknown_frame) append_frame(out, unknown_frame_type, 0, stream_id, "teapot:?");
    // Even pieces (empty ones when the block is shorter than the frames: a CONTINUATION may be
    // empty), none larger than any client takes.
    const std::size_t frames =
        std::max<std::size_t>(std::size_t{lie.continuations} + 1, (block.size() + max_payload - 1) / max_payload);
    const std::size_t piece = (block.size() + frames - 1) / frames;
    std::string_view rest = block;
    for (std::size_t i = 0; i < frames; ++i) {
        const auto part = rest.substr(0, piece);
        rest.remove_prefix(part.size());
        const bool last = i + 1 == frames;
        if (i == 0)  // HEADERS keeps END_STREAM; END_HEADERS goes to the last frame
            append_frame(out, type_headers, last ? flags : static_cast<std::uint8_t>(flags & ~flag_end_headers),
                         stream_id, part);
        else
            append_frame(out, type_continuation, last ? flag_end_headers : 0, stream_id, part);
    }
    return out;
}

void h2_wire_lies::rewrite(std::string& out, std::size_t from) {
    std::size_t at = from;
    while (!idle() && at + frame_header_size <= out.size()) {
        const std::string_view header{out.data() + at, frame_header_size};
        const std::size_t end = at + frame_header_size + read24(header);
        if (end > out.size()) return;  // not a whole frame: left as it is
        if (withhold_settings_acks_ && header[3] == type_settings && header[4] & flag_ack) {
            out.erase(at, end - at);
            continue;
        }
        auto lie = header[3] == type_headers ? lies_.find(stream_of(header)) : lies_.end();
        if (lie == lies_.end()) {
            at = end;
            continue;
        }
        if (lie->second.heads_before > 0) {  // a 1xx head: the lie is the final one's
            --lie->second.heads_before;
            at = end;
            continue;
        }
        const auto& told = lie->second;
        std::size_t size = end - at;
        if (told.rewrites()) {
            const auto frames = lie_about(std::string_view{out}.substr(at, size), told);
            out.replace(at, size, frames);
            size = frames.size();
        }
        if (told.paced || told.key_update_after) marks_.push_back({at, at + size, told.paced, told.key_update_after});
        lies_.erase(lie);
        at += size;
    }
}

}  // namespace teapot::detail

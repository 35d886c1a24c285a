#include "util/utf8.hpp"

#include <boost/locale/utf.hpp>

#include <cstdint>
#include <cstring>

namespace teapot::detail {
namespace {

using utf8 = boost::locale::utf::utf_traits<char>;

bool is_trail(char c) noexcept { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Past the ASCII at the front of [p, end), eight bytes at a time: most of what is checked is ASCII.
const char* skip_ascii(const char* p, const char* end) noexcept {
    for (std::uint64_t eight = 0; end - p >= 8; p += 8) {
        std::memcpy(&eight, p, 8);
        if (eight & 0x8080808080808080u) break;
    }
    while (p != end && static_cast<unsigned char>(*p) < 0x80) ++p;
    return p;
}

// One character at `p`: true and `p` past it when it is well-formed (Boost.Locale checks it as RFC 3629 does).
bool take_char(const char*& p, const char* end) noexcept {
    auto c = utf8::decode(p, end);
    return c != boost::locale::utf::illegal && c != boost::locale::utf::incomplete;
}

}  // namespace

bool is_utf8(std::string_view bytes) noexcept {
    const char* p = bytes.data();
    const char* end = p + bytes.size();
    while ((p = skip_ascii(p, end)) != end)
        if (!take_char(p, end)) return false;
    return true;
}

std::string repaired_utf8(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() + 16);
    const char* p = bytes.data();
    const char* end = p + bytes.size();
    while (p != end) {
        const char* start = p;
        p = skip_ascii(p, end);
        out.append(start, p);
        if (p == end) break;
        start = p;
        if (take_char(p, end)) {
            out.append(start, p);
            continue;
        }
        // One U+FFFD for a lead byte and the continuation bytes that follow it (at most 3), one for
        // each stray continuation byte. The decoder may have read past a byte below 0x80 (a '"' of the
        // JSON text): the repair restarts after the lead byte, never beyond a byte that is not a
        // continuation byte.
        out.append("\xEF\xBF\xBD");
        p = start + 1;
        if (!is_trail(*start))
            for (int i = 0; i < 3 && p != end && is_trail(*p); ++i) ++p;
    }
    return out;
}

std::size_t utf8_cut(std::string_view bytes, std::size_t n) noexcept {
    if (n >= bytes.size()) return bytes.size();
    // A continuation byte at the cut belongs to a character begun before it (at most 3 bytes back).
    for (std::size_t back = 0; back < 3 && n > 0 && is_trail(bytes[n]); ++back) --n;
    return n;
}

}  // namespace teapot::detail

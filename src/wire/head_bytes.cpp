#include "wire/head_bytes.hpp"

#include "plan/request.hpp"
#include "util/http_date.hpp"

#include <cassert>
#include <charconv>
#include <cstring>

namespace teapot::detail {
namespace {

constexpr std::string_view crlf = "\r\n";
constexpr std::string_view colon = ": ";

// Copies into a buffer sized beforehand: one resize for the whole head, where
// appending piece by piece paid a capacity check and a call for each of ~40 pieces.
class byte_cursor {
public:
    explicit byte_cursor(char* at) : at_(at) {}
    byte_cursor& operator<<(std::string_view s) {
        std::memcpy(at_, s.data(), s.size());
        at_ += s.size();
        return *this;
    }
    char* at() const { return at_; }

private:
    char* at_;
};

struct number_text {
    explicit number_text(std::uint64_t n)
        : size(static_cast<std::size_t>(std::to_chars(digits, digits + 24, n).ptr - digits)) {}
    std::string_view view() const { return {digits, size}; }
    char digits[24];
    std::size_t size;
};

std::size_t field_size(std::string_view name, std::string_view value) {
    return name.size() + colon.size() + value.size() + crlf.size();
}

}  // namespace

void append_head(std::string& out, const message_head& head, std::string_view server_header,
                 const head_framing& framing) {
    // One pass to learn what the head sets itself, and the size of it all.
    bool own_date = false, own_server = false;
    const std::string* own_connection = nullptr;
    std::size_t fields = 0;
    for (const auto& h : head.headers) {
        if (iequals(h.name, "Date")) own_date = true;
        if (iequals(h.name, "Server")) own_server = true;
        if (!framing.connection.empty() && iequals(h.name, "Connection")) {
            own_connection = &h.value;  // merged with ours below, as one field
            continue;
        }
        fields += field_size(h.name, h.value);
    }
    // Date and Server are single-valued: a plan's own value (?header=Server:x) replaces ours.
    const auto date = own_date ? std::string_view{} : current_http_date();
    const number_text status{static_cast<std::uint64_t>(head.status)};
    std::optional<number_text> length;
    if (framing.content_length) length.emplace(*framing.content_length);
    constexpr std::string_view version = "HTTP/1.1 ";  // also to 1.0 clients (RFC 9110 §6.2: the highest minor version)
    constexpr std::string_view chunked = "Transfer-Encoding: chunked\r\n";
    constexpr std::string_view content_length = "Content-Length: ";
    constexpr std::string_view connection = "Connection: ";
    const bool merge_connection = own_connection && framing.connection == "close";

    std::size_t size = version.size() + status.size + 1 + head.reason.size() + crlf.size() + fields + crlf.size();
    if (!own_date) size += field_size("Date", date);
    if (!own_server) size += field_size("Server", server_header);
    if (framing.chunked) size += chunked.size();
    if (length) size += content_length.size() + length->size + crlf.size();
    if (!framing.connection.empty())
        size += connection.size() + (merge_connection ? own_connection->size() + 2 : 0) + framing.connection.size() +
                crlf.size();

    const auto start = out.size();
    out.resize(start + size);
    byte_cursor c{out.data() + start};
    c << version << status.view() << " " << head.reason << crlf;
    if (!own_date) c << "Date" << colon << date << crlf;
    if (!own_server) c << "Server" << colon << server_header << crlf;
    for (const auto& h : head.headers) {
        if (!framing.connection.empty() && iequals(h.name, "Connection")) continue;
        c << h.name << colon << h.value << crlf;
    }
    if (framing.chunked) c << chunked;
    if (length) c << content_length << length->view() << crlf;
    if (!framing.connection.empty()) {
        c << connection;
        if (merge_connection) c << *own_connection << ", ";
        c << framing.connection << crlf;
    }
    c << crlf;
    assert(c.at() == out.data() + out.size());
}

}  // namespace teapot::detail

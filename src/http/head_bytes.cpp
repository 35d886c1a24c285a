#include "http/head_bytes.hpp"

#include "http/request.hpp"
#include "util/http_date.hpp"

#include <charconv>

namespace teapot::detail {
namespace {

void append_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append("\r\n");
}

void append_number(std::string& out, std::uint64_t n) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
    out.append(digits, end);
}

}  // namespace

void append_head(std::string& out, const message_head& head, std::string_view server_header,
                 const head_framing& framing) {
    // We always speak HTTP/1.1, also to 1.0 clients (RFC 9110 §6.2: send the highest minor version).
    out.append("HTTP/1.1 ");
    append_number(out, static_cast<std::uint64_t>(head.status));
    out.append(" ").append(head.reason).append("\r\n");
    // Date and Server are single-valued: a plan's own value (?header=Server:x) replaces ours.
    if (!head.find("Date")) append_field(out, "Date", current_http_date());
    if (!head.find("Server")) append_field(out, "Server", server_header);
    const std::string* own_connection = nullptr;
    for (const auto& h : head.headers) {
        if (!framing.connection.empty() && iequals(h.name, "Connection")) {
            own_connection = &h.value;  // merged with ours below, as one field
            continue;
        }
        append_field(out, h.name, h.value);
    }
    if (framing.chunked) append_field(out, "Transfer-Encoding", "chunked");
    if (framing.content_length) {
        out.append("Content-Length: ");
        append_number(out, *framing.content_length);
        out.append("\r\n");
    }
    if (!framing.connection.empty()) {
        out.append("Connection: ");
        if (own_connection && framing.connection == "close") out.append(*own_connection).append(", ");
        out.append(framing.connection).append("\r\n");
    }
    out.append("\r\n");
}

}  // namespace teapot::detail

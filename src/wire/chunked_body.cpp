#include "wire/chunked_body.hpp"

#include <charconv>

namespace teapot::detail {

std::string chunked_body(std::string_view body, const std::vector<header_field>& trailers) {
    std::string out;
    std::size_t size = body.size() + 32;
    for (const auto& f : trailers) size += f.name.size() + f.value.size() + 4;
    out.reserve(size);
    if (!body.empty()) {
        char digits[16];
        const auto end = std::to_chars(digits, digits + sizeof digits, body.size(), 16).ptr;
        out.append(digits, end).append("\r\n").append(body).append("\r\n");
    }
    out.append("0\r\n");
    for (const auto& f : trailers) out.append(f.name).append(": ").append(f.value).append("\r\n");
    out.append("\r\n");
    return out;
}

}  // namespace teapot::detail

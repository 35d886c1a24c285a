#include "handlers/httpbin/multipart.hpp"

#include "util/ascii.hpp"

#include <boost/beast/http/rfc7230.hpp>

namespace teapot::detail::httpbin {
namespace {

bool is_horizontal_blank(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\v'; }

// A quoted-string's content (RFC 9110 §5.6.4: a backslash keeps the byte after it), or `v` as it is.
std::string unquoted(std::string_view v) {
    if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::string{v};
    std::string out;
    for (std::size_t i = 1; i + 1 < v.size(); ++i) {
        if (v[i] == '\\' && i + 2 < v.size()) ++i;
        out.push_back(v[i]);
    }
    return out;
}

// The length of the line break at `at` (CRLF, LF or CR: Werkzeug takes all three), 0 if none.
std::size_t line_break(std::string_view s, std::size_t at) {
    if (at >= s.size()) return 0;
    if (s[at] == '\r') return at + 1 < s.size() && s[at + 1] == '\n' ? 2 : 1;
    return s[at] == '\n' ? 1 : 0;
}

// What follows a delimiter: "--" (the last one) or a line break, after blanks. Returns the
// length consumed past the delimiter and whether it was the last; 0 when it is not a delimiter.
std::size_t delimiter_end(std::string_view s, std::size_t at, bool& last) {
    std::size_t i = at;
    last = s.substr(i).starts_with("--");
    if (last) i += 2;
    while (i < s.size() && is_horizontal_blank(s[i])) ++i;
    const auto br = line_break(s, i);
    if (!last && br == 0) return 0;
    return i + br - at;
}

// The next delimiter at or after `from` that a line break precedes (the first may stand
// anywhere): its start (the line break's) and end, and whether it is the last.
bool next_delimiter(std::string_view body, const std::string& delimiter, std::size_t from, bool first,
                    std::size_t& start, std::size_t& end, bool& last) {
    for (auto at = body.find(delimiter, from); at != std::string_view::npos; at = body.find(delimiter, at + 1)) {
        std::size_t before = at;
        if (at >= 2 && body.substr(at - 2, 2) == "\r\n")
            before = at - 2;
        else if (at >= 1 && (body[at - 1] == '\n' || body[at - 1] == '\r'))
            before = at - 1;
        else if (!first)
            continue;  // Werkzeug finds the first delimiter anywhere, preamble or not
        const auto after = delimiter_end(body, at + delimiter.size(), last);
        if (after == 0) continue;
        start = before;
        end = at + delimiter.size() + after;
        return true;
    }
    return false;
}

// The headers of a part up to its blank line; their end past it, or npos when there is none.
std::size_t headers_end(std::string_view body, std::size_t from) {
    for (std::size_t i = from; i < body.size(); ++i) {
        const auto first = line_break(body, i);
        if (first == 0) continue;
        if (i == from || line_break(body, i + first) != 0) {
            // A blank line: the part has no headers, or two line breaks in a row end them.
            return i == from ? i + first : i + first + line_break(body, i + first);
        }
        i += first - 1;
    }
    return std::string_view::npos;
}

struct part_headers {
    std::string disposition;
    std::string content_type;
};

// Werkzeug's _parse_headers: continued lines joined, "Name: value" per line.
part_headers read_headers(std::string_view text) {
    part_headers h;
    std::string line;
    auto take = [&h](const std::string& l) {
        const auto colon = l.find(':');
        if (colon == std::string::npos) return;
        std::string_view name{l.data(), colon}, value{l.data() + colon + 1, l.size() - colon - 1};
        while (!value.empty() && is_horizontal_blank(value.front())) value.remove_prefix(1);
        while (!value.empty() && is_horizontal_blank(value.back())) value.remove_suffix(1);
        while (!name.empty() && is_horizontal_blank(name.back())) name.remove_suffix(1);
        if (iequals(name, "Content-Disposition")) h.disposition = value;
        if (iequals(name, "Content-Type")) h.content_type = value;
    };
    for (std::size_t i = 0; i < text.size();) {
        const auto br = line_break(text, i);
        if (br == 0) {
            line.push_back(text[i++]);
            continue;
        }
        i += br;
        if (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
            line.push_back(' ');  // a continuation line: one header
            continue;
        }
        take(line);
        line.clear();
    }
    take(line);
    return h;
}

}  // namespace

std::optional<std::string> form_boundary(std::string_view content_type) {
    const auto semicolon = content_type.find(';');
    auto type = content_type.substr(0, semicolon);
    while (!type.empty() && is_horizontal_blank(type.back())) type.remove_suffix(1);
    if (!iequals(type, "multipart/form-data") || semicolon == std::string_view::npos) return std::nullopt;
    for (const auto& [name, value] : boost::beast::http::param_list{content_type.substr(semicolon)})
        if (iequals(name, "boundary") && !value.empty()) return unquoted(value);
    return std::nullopt;
}

std::optional<std::vector<form_part>> parse_form_data(std::string_view body, std::string_view boundary) {
    const std::string delimiter = "--" + std::string{boundary};
    std::size_t start = 0, end = 0;
    bool last = false;
    if (!next_delimiter(body, delimiter, 0, true, start, end, last)) return std::nullopt;
    std::vector<form_part> parts;
    while (!last) {
        const auto head_end = headers_end(body, end);
        if (head_end == std::string_view::npos) return std::nullopt;
        const auto headers = read_headers(body.substr(end, head_end - end));
        if (headers.disposition.empty()) return std::nullopt;  // Werkzeug: "Missing Content-Disposition header"
        std::size_t next_start = 0, next_end = 0;
        if (!next_delimiter(body, delimiter, head_end, false, next_start, next_end, last)) return std::nullopt;
        if (parts.size() == max_form_parts) return std::nullopt;
        form_part part;
        part.content_type = headers.content_type;
        part.content = body.substr(head_end, next_start - head_end);
        const auto semicolon = headers.disposition.find(';');
        if (semicolon != std::string::npos) {
            for (const auto& [name, value] :
                 boost::beast::http::param_list{std::string_view{headers.disposition}.substr(semicolon)}) {
                if (iequals(name, "name")) part.name = unquoted(value);
                if (iequals(name, "filename")) part.filename = unquoted(value);
            }
        }
        parts.push_back(std::move(part));
        end = next_end;
    }
    return parts;
}

}  // namespace teapot::detail::httpbin

#include "handlers/httpbin/cookie_syntax.hpp"

#include "handlers/httpbin/python_args.hpp"
#include "util/ascii.hpp"

#include <cstdio>

namespace teapot::detail::httpbin {
namespace {

// Python's \s on bytes: space, \t, \n, \r, \f, \v.

// The end of a quoted string that starts at `s[at]` ('"'), past its closing quote; npos when unclosed.
std::size_t quoted_end(std::string_view s, std::size_t at) {
    for (std::size_t i = at + 1; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;  // any byte may follow a backslash
        } else if (s[i] == '"') {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

// _cookie_unquote: "..." loses its quotes, \ooo (first digit 0-3) is that byte, \x is x.
std::string unquoted(std::string_view v) {
    if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::string{v};
    v = v.substr(1, v.size() - 2);
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] != '\\' || i + 1 >= v.size() || v[i + 1] == '\n') {  // Python's "." is not a newline
            out.push_back(v[i]);
            continue;
        }
        const bool octal = i + 3 < v.size() && v[i + 1] >= '0' && v[i + 1] <= '3' && v[i + 2] >= '0' &&
                           v[i + 2] <= '7' && v[i + 3] >= '0' && v[i + 3] <= '7';
        if (octal) {
            out.push_back(static_cast<char>((v[i + 1] - '0') * 64 + (v[i + 2] - '0') * 8 + (v[i + 3] - '0')));
            i += 3;
        } else {
            out.push_back(v[++i]);
        }
    }
    return out;
}

bool is_legal(unsigned char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view{"/=!#$%&'*+-.^_`|~:"}.find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_cookie_field(std::string_view field) {
    std::vector<std::pair<std::string, std::string>> pairs;
    std::size_t i = 0;
    while (i < field.size()) {
        // The name: up to "=" or ";".
        const auto name_end = field.find_first_of("=;", i);
        const auto name = python_strip(field.substr(i, name_end == std::string_view::npos ? field.npos : name_end - i));
        if (name_end == std::string_view::npos || field[name_end] == ';') {
            if (!name.empty()) pairs.emplace_back(std::string{name}, std::string{});
            i = name_end == std::string_view::npos ? field.size() : name_end + 1;
            continue;
        }
        // The value: a quoted string when one closes and only blanks separate it from ";" (or
        // the end), else everything up to the next ";".
        std::size_t start = name_end + 1;
        while (start < field.size() && is_python_blank(field[start])) ++start;
        std::size_t value_end = field.find(';', start);
        if (start < field.size() && field[start] == '"') {
            const auto closing = quoted_end(field, start);
            if (closing != std::string_view::npos) {
                auto after = closing;
                while (after < field.size() && is_python_blank(field[after])) ++after;
                if (after == field.size() || field[after] == ';')
                    value_end = after == field.size() ? field.npos : after;
            }
        }
        const auto raw = field.substr(start, value_end == std::string_view::npos ? field.npos : value_end - start);
        if (!name.empty()) pairs.emplace_back(std::string{name}, unquoted(python_strip(raw)));
        i = value_end == std::string_view::npos ? field.size() : value_end + 1;
    }
    return pairs;
}

std::string quoted_cookie_value(std::string_view value) {
    std::string out;
    bool all_legal = true;
    for (char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_legal(c)) {
            out.push_back(ch);
            continue;
        }
        all_legal = false;
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(ch);
        } else if (c == ',' || c == ';' || c < 0x20 || c >= 0x7F) {
            char octal[5];
            std::snprintf(octal, sizeof octal, "\\%03o", c);
            out.append(octal);
        } else {
            out.push_back(ch);  // a space and the other printable bytes stay, inside the quotes
        }
    }
    return all_legal ? out : "\"" + out + "\"";
}

std::vector<std::pair<std::string, std::string>> request_cookies(const request& req) {
    std::string field;
    for (const auto& [name, value] : req.headers)
        if (iequals(name, "Cookie")) field.append(field.empty() ? "" : "; ").append(value);
    return parse_cookie_field(field);
}

}  // namespace teapot::detail::httpbin

#include "util/field_syntax.hpp"

#include "util/ascii.hpp"

#include <algorithm>
#include <array>

namespace teapot::detail {
namespace {
bool is_tchar(unsigned char c) noexcept {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return std::string_view{"!#$%&'*+-.^_`|~"}.find(static_cast<char>(c)) != std::string_view::npos;
}
bool is_visible_or_obs(unsigned char c) noexcept { return (c > 0x20 && c != 0x7f); }
}  // namespace

std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool list_has_token(std::string_view list, std::string_view token) noexcept {
    return !for_each_list_element(list, [token](std::string_view element) { return !iequals(element, token); });
}

bool is_token(std::string_view s) noexcept {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return is_tchar(static_cast<unsigned char>(c)); });
}

bool is_field_value(std::string_view s) noexcept {
    if (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.back() == ' ' || s.back() == '\t')) return false;
    return std::all_of(s.begin(), s.end(), [](char ch) {
        auto c = static_cast<unsigned char>(ch);
        return c == ' ' || c == '\t' || is_visible_or_obs(c);
    });
}

bool is_reason_phrase(std::string_view s) noexcept {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char ch) {
        auto c = static_cast<unsigned char>(ch);
        return c == ' ' || c == '\t' || is_visible_or_obs(c);
    });
}

bool is_framing_field(std::string_view name) noexcept {
    static constexpr std::array<std::string_view, 8> fields{
        "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive",
        "Upgrade",        "Trailer",           "TE",         "Proxy-Connection"};
    return std::any_of(fields.begin(), fields.end(), [&](std::string_view f) { return iequals(f, name); });
}

bool is_connection_specific_field(std::string_view name) noexcept {
    return iequals(name, "Connection") || iequals(name, "Keep-Alive") || iequals(name, "Proxy-Connection") ||
           iequals(name, "Transfer-Encoding") || iequals(name, "Upgrade");
}

}  // namespace teapot::detail

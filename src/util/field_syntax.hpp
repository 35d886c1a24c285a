#pragma once
// The grammar of header fields (RFC 9110 §5.1, §5.5, RFC 9112 §4): what may be
// put on the wire from user input without breaking the message's framing.

#include <string_view>

namespace teapot::detail {

/// `s` without the optional whitespace (OWS: spaces and tabs, RFC 9110 §5.6.3) at
/// either end, as around the elements of a list-based field.
std::string_view trim_ows(std::string_view s) noexcept;

/// Calls `f` on each element of a comma-separated list (RFC 9110 §5.6.1), trimmed of
/// OWS; empty elements ("a, ,b") are skipped, as a recipient must. Stops at the first
/// element for which `f` returns false, and returns false then.
template <typename F>
bool for_each_list_element(std::string_view list, F&& f) {
    for (;;) {
        const auto comma = list.find(',');
        const auto element = trim_ows(list.substr(0, comma));
        if (!element.empty() && !f(element)) return false;
        if (comma == std::string_view::npos) return true;
        list.remove_prefix(comma + 1);
    }
}

/// Whether `token` is an element of the list, compared case-insensitively ("Connection: Upgrade").
bool list_has_token(std::string_view list, std::string_view token) noexcept;

/// token = 1*tchar
bool is_token(std::string_view s) noexcept;

/// field-value: visible characters, obs-text, inner SP/HTAB; never CR, LF or NUL.
bool is_field_value(std::string_view s) noexcept;

/// reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
bool is_reason_phrase(std::string_view s) noexcept;

/// Fields whose value decides framing or connection handling (RFC 9112 §6,
/// RFC 9110 §7.6.1): set by teapot only, never from a knob.
bool is_framing_field(std::string_view name) noexcept;
/// Connection, Keep-Alive, Proxy-Connection, Transfer-Encoding, Upgrade: the fields that mean
/// nothing in HTTP/2 and make a message malformed there (RFC 9113 §8.2.2). Framing fields but
/// Content-Length (HTTP/2 keeps it), Trailer and TE (which HTTP/2 allows, TE as "trailers").
bool is_connection_specific_field(std::string_view name) noexcept;

}  // namespace teapot::detail

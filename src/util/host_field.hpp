#pragma once
// The Host field (RFC 9112 §3.2: uri-host [":" port]) and the host of an Origin,
// split and judged. Boost.URL 1.81's authority parser refuses a reg-name that starts
// like an IPv4 address ("127.0.0.1.nip.io"), which RFC 3986 §3.2.2 allows: the host
// is checked here against Boost.URL's own character sets instead.

#include <cstdint>
#include <optional>
#include <string_view>

namespace teapot::detail {

struct host_and_port {
    std::string_view host;  ///< as sent; an IPv6 literal without its brackets
    std::optional<std::uint16_t> port;
    bool ipv6 = false;
};

/// uri-host [":" port], or none when `value` is not one (userinfo, spaces, a bad port).
std::optional<host_and_port> parse_host_field(std::string_view value) noexcept;

/// localhost, 127.0.0.0/8 or ::1 (a name that only resolves there is not trusted).
bool is_loopback_name(const host_and_port& h) noexcept;

/// Whether `origin` (RFC 6454: scheme "://" host [":" port]) is http://<host field>, or
/// https://<host field> over TLS: hosts compared without case, an absent port being 80 (443).
bool is_origin_of_host(std::string_view origin, std::string_view host_field, bool https = false) noexcept;

}  // namespace teapot::detail

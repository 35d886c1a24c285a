#pragma once
// Who may use the admin API. Without a token: loopback peers only, since the
// API can read every request and change every scenario. With --admin-token T:
// `Authorization: Bearer T` on every admin request, from any address. Either way
// no web page may drive it: a browser's cross-site request (an Origin other than
// the server's own, Sec-Fetch-Site cross-site or same-site) is refused, and without
// a token the Host must name the loopback (a DNS-rebound name does not).

#include "handlers/handler_context.hpp"  // admin_settings
#include "plan/request.hpp"

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>

namespace teapot::detail {

enum class admin_refusal {
    none,
    not_loopback,  ///< a remote peer, and no token is set
    bad_token,     ///< a token is set and the request does not carry it
    cross_site,    ///< sent by a web page of another origin
    foreign_host,  ///< no token is set and Host is not a loopback name (DNS rebinding)
};

/// Whether a peer's address is this machine's loopback: 127.0.0.0/8, ::1, and an
/// IPv4 loopback address as a dual-stack socket shows it (::ffff:127.0.0.1).
bool is_loopback_peer(const boost::asio::ip::address& address) noexcept;

/// Whether `req` (from a loopback peer or not) may use the admin API.
admin_refusal admin_access(const request& req, const admin_settings& settings);

/// Whether a Host value names this machine's loopback: localhost, 127.0.0.0/8 or [::1],
/// with any port. An empty value (HTTP/1.0 without Host) is not a browser's: allowed.
bool is_loopback_host(std::string_view host);

}  // namespace teapot::detail

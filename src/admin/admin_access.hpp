#pragma once
// Who may use the admin API. Without a token: loopback peers only, since the
// API can read every request and change every scenario. With --admin-token T:
// `Authorization: Bearer T` on every admin request, from any address.

#include "http/request.hpp"

#include <boost/asio/ip/address.hpp>

#include <optional>
#include <string>

namespace teapot::detail {

struct admin_settings {
    bool enabled = true;  ///< --no-admin: /__teapot/ is not served at all
    std::string token;    ///< --admin-token; empty: loopback only
};

enum class admin_refusal { none, not_loopback, bad_token };

/// Whether a peer's address is this machine's loopback: 127.0.0.0/8, ::1, and an
/// IPv4 loopback address as a dual-stack socket shows it (::ffff:127.0.0.1).
bool is_loopback_peer(const boost::asio::ip::address& address) noexcept;

/// Whether `req` (from a loopback peer or not) may use the admin API.
admin_refusal admin_access(const request& req, const admin_settings& settings);

}  // namespace teapot::detail

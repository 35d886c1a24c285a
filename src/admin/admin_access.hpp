#pragma once
// Who may use the admin API. Without a token: loopback peers only, since the
// API can read every request and change every scenario. With --admin-token T:
// `Authorization: Bearer T` on every admin request, from any address.

#include "http/request.hpp"

#include <optional>
#include <string>

namespace teapot::detail {

struct admin_settings {
    bool enabled = true;  ///< --no-admin: /__teapot/ is not served at all
    std::string token;    ///< --admin-token; empty: loopback only
};

enum class admin_refusal { none, not_loopback, bad_token };

/// Whether `req` (from a loopback peer or not) may use the admin API.
admin_refusal admin_access(const request& req, const admin_settings& settings);

}  // namespace teapot::detail

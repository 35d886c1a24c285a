#pragma once
// What handlers may read besides the request: server-wide settings and the
// shared random stream. Handlers decide *what* to send; they do no I/O.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <teapot/tls_cases.hpp>

namespace teapot::detail {

class random_source;
class journal;
class metrics;
namespace scenario {
class registry;
}

/// Who may use the admin API (admin/admin_access.hpp applies it).
struct admin_settings {
    bool enabled = true;  ///< --no-admin: /__teapot/ is not served at all
    std::string token;    ///< --admin-token; empty: loopback only
};

/// httpbin's endpoints (handlers/httpbin/): on at the root unless told otherwise.
struct httpbin_settings {
    bool enabled = true;              ///< --no-httpbin: off
    std::string prefix;               ///< --httpbin-prefix: served under it ("/httpbin/get"); empty: at the root
    std::string hostname = "teapot";  ///< /hostname's answer: the machine's under --httpbin-real-hostname
};

struct handler_context {
    std::chrono::milliseconds max_delay{60'000};
    random_source* random = nullptr;
    scenario::registry* scenarios = nullptr;  ///< the scenarios in force (files and run-time loads)
    detail::journal* journal = nullptr;       ///< the request journal the admin API reads
    admin_settings admin;
    bool debug_headers = false;           ///< X-Teapot-Scenario, -Route, -Step, -Session on scenario answers
    detail::metrics* counters = nullptr;  ///< responses and faults, for /__teapot/metrics
    /// Open connections, for /__teapot/metrics: a call, since the connections are the wire's, above.
    std::function<std::size_t()> open_connections;
    std::vector<std::string> allowed_redirect_hosts;  ///< lower case; empty: ?location= may name any host
    bool strict_knobs = false;  ///< --strict-knobs: a /status parameter that is not a knob is a 400
    std::string ca_pem{};       ///< the CA certificate clients trust for HTTPS (GET /__teapot/ca.pem); empty: none
    /// The TLS cases' listeners (GET /__teapot/tls): filled once they are bound, before any request.
    std::shared_ptr<const std::vector<tls_case_listing>> tls_cases{};
    bool tls_alerts = false;  ///< --tls-alerts: TLS 1.3 connections keep the secret tls-alert seals with
    httpbin_settings httpbin{};
};

}  // namespace teapot::detail

#include "faults/tls_alerts.hpp"

#include <array>
#include <string>
#include <utility>

namespace teapot::detail {
namespace {

// The registry's current alerts; the reserved ones (SSL 3's, export's) no client still acts on.
constexpr std::array<std::pair<std::string_view, unsigned char>, 28> alerts{{
    {"close_notify", 0},
    {"unexpected_message", 10},
    {"bad_record_mac", 20},
    {"record_overflow", 22},
    {"handshake_failure", 40},
    {"bad_certificate", 42},
    {"unsupported_certificate", 43},
    {"certificate_revoked", 44},
    {"certificate_expired", 45},
    {"certificate_unknown", 46},
    {"illegal_parameter", 47},
    {"unknown_ca", 48},
    {"access_denied", 49},
    {"decode_error", 50},
    {"decrypt_error", 51},
    {"protocol_version", 70},
    {"insufficient_security", 71},
    {"internal_error", 80},
    {"inappropriate_fallback", 86},
    {"user_canceled", 90},
    {"no_renegotiation", 100},
    {"missing_extension", 109},
    {"unsupported_extension", 110},
    {"unrecognized_name", 112},
    {"bad_certificate_status_response", 113},
    {"unknown_psk_identity", 115},
    {"certificate_required", 116},
    {"no_application_protocol", 120},
}};

}  // namespace

std::optional<unsigned char> tls_alert_by_name(std::string_view name) noexcept {
    for (auto [n, description] : alerts)
        if (n == name) return description;
    return std::nullopt;
}

std::string_view tls_alert_names() noexcept {
    static const std::string joined = [] {
        std::string out;
        for (auto [name, description] : alerts) out.append(out.empty() ? "" : ", ").append(name);
        return out;
    }();
    return joined;
}

}  // namespace teapot::detail

#pragma once
// The names of TLS alerts (RFC 8446 §6 and RFC 5246 §7.2, as the IANA registry
// writes them), for tls-alert:<name> and for messages that name an alert.

#include <optional>
#include <string_view>

namespace teapot::detail {

/// The AlertDescription named `name` ("internal_error" → 80); nullopt when unknown.
std::optional<unsigned char> tls_alert_by_name(std::string_view name) noexcept;

/// "close_notify, unexpected_message, ...": the names a tls-alert takes, for error messages.
std::string_view tls_alert_names() noexcept;

}  // namespace teapot::detail

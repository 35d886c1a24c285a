#pragma once
// The h2c upgrade (RFC 7540 §3.2, which RFC 9113 §3.1 deprecates and curl and nghttp still send):
// whether an HTTP/1.1 request asks for it, and the request as the HTTP/2 connection's stream 1.
// connection.cpp answers 101 and hands both to h2_connection (docs/http2.md).

#include "plan/request.hpp"
#include "wire/body_budget.hpp"
#include "wire/h2_session.hpp"

#include <memory>
#include <optional>
#include <string>

namespace teapot::detail {

/// The HTTP2-Settings of an HTTP/1.1 request that asks to upgrade to h2c (Upgrade: h2c, Connection
/// naming Upgrade and HTTP2-Settings, one HTTP2-Settings in base64url), decoded; nullopt when it
/// does not ask, or asks wrongly (then HTTP/1.1 answers it).
std::optional<std::string> h2c_upgrade_settings(const request& req);

/// `req` as stream 1 of an upgraded connection: its fields without HTTP/1's connection-specific
/// ones, names in lower case, Host as :authority, the body whole.
std::shared_ptr<h2_stream> stream_of_http1(const request& req, body_budget* bodies);

}  // namespace teapot::detail

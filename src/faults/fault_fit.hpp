#pragma once
// Whether a fault (and body pacing) can be honoured on a given response: a
// truncation needs a body longer than what it keeps, a reset sends nothing to
// pace. /status/<code> answers a misfit with 400; the loader reports it at the
// step's line.

#include "plan/response_plan.hpp"

#include <teapot/journal.hpp>  // tls_facts

#include <string>

namespace teapot::detail {

/// Why plan.fault and plan.stream cannot be carried out on `plan`; empty when they can.
std::string fault_misfit(const response_plan& plan);

/// Why `f` cannot break this connection's transport: a frame fault over HTTP/1 (`version`: the
/// request's, 20 for HTTP/2), bad-chunk over HTTP/2, a tls- fault over plain HTTP, a key update before TLS 1.3, a
/// renegotiation in it, an alert under keys teapot does not keep (`traffic_secrets`:
/// --tls-alerts). `tls` null over plain HTTP; empty when it can.
std::string transport_misfit(const fault& f, const tls_facts* tls, bool traffic_secrets, unsigned version);

/// Why settings_no_ack cannot be honoured on this request: the client's SETTINGS come before any
/// request but the h2c upgrade's, and were acknowledged already (docs/http2.md, "The connection's start").
std::string settings_no_ack_misfit();

/// Whether `plan`, asked over HTTP/2, must be asked again over HTTP/1.1: a WebSocket upgrade
/// (HTTP/2 has no 101), the dashboard's event stream, or tls-renegotiate (forbidden in HTTP/2). The stream ends with
/// HTTP_1_1_REQUIRED, and a client that follows RFC 9113 §7 (curl does) asks again (docs/http2.md).
bool needs_http11(const response_plan& plan);

}  // namespace teapot::detail

#pragma once
// The dashboard (docs/dashboard.md): GET /__teapot/ui, one page embedded in the binary, and
// GET /__teapot/events, the stream of journal changes it listens to (wire/event_stream).

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <optional>
#include <string_view>

namespace teapot::detail {

/// GET or HEAD /__teapot/ui: the page, which no other origin may frame, and which talks only to
/// this server (its Content-Security-Policy).
response_plan dashboard_page(const request& req);

/// GET /__teapot/events: the event stream's head (text/event-stream); the connection sends the events.
response_plan dashboard_events(const request& req, const handler_context& ctx);

/// The bytes of an embedded dashboard file ("dashboard.html"), or nullopt (cmake/embed_files.cmake).
std::optional<std::string_view> dashboard_asset(std::string_view name);

}  // namespace teapot::detail

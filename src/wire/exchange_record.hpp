#pragma once
// What every connection does around one request, whatever protocol carried it:
// the journal entry opened before the answer and completed after it, and the
// metrics. The HTTP/1 connection uses it today, an HTTP/2 stream next.

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace teapot::detail {

/// The status an access line and the journal record: 499 when the client left
/// first (as nginx logs it), 444 when a fault sent no response, else the status sent.
int logged_status(const response_plan& plan, bool client_gone);

/// The fault's name for the access line and the metrics, empty without one.
std::string_view fault_label(const response_plan& plan);

/// Puts the request in the journal before it is answered (not the admin API's own);
/// nothing when the journal is off (--journal-size 0).
std::optional<std::uint64_t> start_record(const handler_context& handlers, const request& req,
                                          const response_plan& plan, std::chrono::system_clock::time_point received);

/// Completes the entry once the answer is sent (`done`: when, if known; else the clock
/// is read); the metrics count it then, with `version`, the protocol that carried it (request::version).
void finish_record(const handler_context& handlers, std::optional<std::uint64_t> entry, const response_plan& plan,
                   unsigned version, int status, std::optional<std::chrono::system_clock::time_point> first_byte,
                   std::optional<std::chrono::system_clock::time_point> done = std::nullopt);

}  // namespace teapot::detail

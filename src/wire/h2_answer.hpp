#pragma once
// A response plan on an HTTP/2 stream's frames: the response, or a fault's frames instead of it or
// around it (docs/http2.md, "Faults"). The decisions only; h2_connection writes and times them.

#include "plan/response_plan.hpp"
#include "wire/h2_session.hpp"

#include <string>
#include <string_view>

namespace teapot::detail {

/// Submits `plan` for stream `s` through `session`. Returns the bytes to write after the frames and
/// before the connection's end (the garbage fault's), else empty.
std::string submit_plan(h2_session& session, h2_stream& s, const response_plan& plan, std::string_view server_header);

}  // namespace teapot::detail

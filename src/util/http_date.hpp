#pragma once
// HTTP-date in its preferred IMF-fixdate form (RFC 9110 §5.6.7), e.g.
// "Sun, 06 Nov 1994 08:49:37 GMT".

#include <ctime>
#include <string>
#include <string_view>

namespace teapot::detail {

std::string format_http_date(std::time_t t);

/// The current time as an HTTP-date, formatted once per second per thread.
std::string_view current_http_date();

/// True for a well-formed IMF-fixdate (senders MUST generate only this form).
bool is_imf_fixdate(std::string_view text) noexcept;

}  // namespace teapot::detail

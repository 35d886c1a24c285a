#pragma once
// --allowed-redirect-hosts: where teapot's redirects may lead (?location= of
// /status, httpbin's /redirect-to). Empty: anywhere, by design for testing.

#include <boost/url/url_view.hpp>

#include <span>
#include <string>
#include <string_view>

namespace teapot::detail {

/// Whether `u` may be a Location: a reference with a scheme or an authority ("//host/...",
/// off-site too) must name one of the hosts (lower case); one without (a path) always may.
bool redirect_allowed(const boost::urls::url_view& u, std::span<const std::string> allowed);

/// Why `what` (the knob as the client wrote it) may not redirect to `uri`, or "" when it may:
/// `uri` must be a URI reference naming a listed host, once a list is set.
std::string redirect_refusal(const std::string& what, std::string_view uri, std::span<const std::string> allowed);

/// The refusal's wording, for a `what` whose URI was already parsed.
std::string refused_redirect_message(const std::string& what, std::span<const std::string> allowed);

}  // namespace teapot::detail

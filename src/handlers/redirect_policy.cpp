#include "handlers/redirect_policy.hpp"

#include "util/ascii.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>

namespace teapot::detail {

bool redirect_allowed(const boost::urls::url_view& u, std::span<const std::string> allowed) {
    if (allowed.empty() || (!u.has_scheme() && !u.has_authority())) return true;
    const std::string host = ascii_lower(u.host_address());
    return !host.empty() && std::find(allowed.begin(), allowed.end(), host) != allowed.end();
}

std::string refused_redirect_message(const std::string& what, std::span<const std::string> allowed) {
    std::string hosts;
    for (const auto& h : allowed) hosts.append(hosts.empty() ? "" : ", ").append(h);
    return what + " leads to a host that --allowed-redirect-hosts does not list (" + hosts +
           "); a reference without a host, such as /status/200, is always allowed";
}

std::string redirect_refusal(const std::string& what, std::string_view uri, std::span<const std::string> allowed) {
    if (allowed.empty()) return {};
    auto u = boost::urls::parse_uri_reference(uri);
    if (!u) return what + " is not a URI reference, so its host cannot be checked against --allowed-redirect-hosts";
    return redirect_allowed(*u, allowed) ? std::string{} : refused_redirect_message(what, allowed);
}

}  // namespace teapot::detail

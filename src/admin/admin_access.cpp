#include "admin/admin_access.hpp"

#include "util/host_field.hpp"

namespace teapot::detail {
namespace {

// Compares without an early exit, so the time taken says nothing about the token.
bool same_secret(std::string_view a, std::string_view b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
    return diff == 0;
}

// Fetch Metadata (W3C): a browser says who initiated the request. "same-site" is
// another port of the same host (a dev server on localhost:3000): refused too.
bool is_cross_site_fetch(std::string_view sec_fetch_site) {
    return !sec_fetch_site.empty() && !iequals(sec_fetch_site, "same-origin") && !iequals(sec_fetch_site, "none");
}

}  // namespace

bool is_loopback_host(std::string_view host) {
    if (host.empty()) return true;
    auto h = parse_host_field(host);
    return h && is_loopback_name(*h);
}

bool is_loopback_peer(const boost::asio::ip::address& address) noexcept {
    // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d: judged as IPv4.
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6()).is_loopback();
    return address.is_loopback();
}

admin_refusal admin_access(const request& req, const admin_settings& settings) {
    // Browsers add Origin to every request but a plain GET, and Sec-Fetch-Site to all.
    const auto origin = req.header("Origin");
    // The server's own origin is http(s)://<Host>: a page teapot serves may use the API (a
    // dashboard); a page from anywhere else may not (RFC 6454 §7; "null" is never ours).
    if ((req.has_header("Origin") && !is_origin_of_host(origin, req.header("Host"), req.tls != nullptr)) ||
        is_cross_site_fetch(req.header("Sec-Fetch-Site")))
        return admin_refusal::cross_site;
    if (settings.token.empty()) {
        if (!req.from_loopback) return admin_refusal::not_loopback;
        // DNS rebinding: a page of evil.example whose name now resolves to 127.0.0.1
        // is same-origin to itself; its requests still say Host: evil.example.
        return is_loopback_host(req.header("Host")) ? admin_refusal::none : admin_refusal::foreign_host;
    }
    auto authorization = req.header("Authorization");
    // RFC 6750 §2.1: "Bearer" is case-insensitive, the token is not.
    constexpr std::string_view scheme = "bearer ";
    if (authorization.size() <= scheme.size() || !iequals(authorization.substr(0, scheme.size()), scheme))
        return admin_refusal::bad_token;
    return same_secret(authorization.substr(scheme.size()), settings.token) ? admin_refusal::none
                                                                            : admin_refusal::bad_token;
}

}  // namespace teapot::detail

#include "admin/admin_access.hpp"

namespace teapot::detail {
namespace {

// Compares without an early exit, so the time taken says nothing about the token.
bool same_secret(std::string_view a, std::string_view b) {
    unsigned char diff = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
    return diff == 0;
}

}  // namespace

bool is_loopback_peer(const boost::asio::ip::address& address) noexcept {
    // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d: judged as IPv4.
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6()).is_loopback();
    return address.is_loopback();
}

admin_refusal admin_access(const request& req, const admin_settings& settings) {
    if (settings.token.empty()) return req.from_loopback ? admin_refusal::none : admin_refusal::not_loopback;
    auto authorization = req.header("Authorization");
    // RFC 6750 §2.1: "Bearer" is case-insensitive, the token is not.
    constexpr std::string_view scheme = "bearer ";
    if (authorization.size() <= scheme.size() || !iequals(authorization.substr(0, scheme.size()), scheme))
        return admin_refusal::bad_token;
    return same_secret(authorization.substr(scheme.size()), settings.token) ? admin_refusal::none
                                                                            : admin_refusal::bad_token;
}

}  // namespace teapot::detail

#include "wire/tls_case_listeners.hpp"

#include "tls/cases.hpp"
#include "tls/server_context.hpp"

#include <boost/asio/ip/address.hpp>

#include <stdexcept>

namespace teapot::detail {
namespace {

// A case's context, keeping TLS 1.3's traffic secrets when tls.alerts says so: a connection
// that SNI moves to it logs its keys through its context. h2 offered as on the main port.
net::ssl::context case_context(const tls::case_listener& made, bool traffic_secrets, bool http2) {
    auto settings = made.settings;
    settings.traffic_secrets = traffic_secrets;
    settings.http2 = http2;
    return tls::make_server_context(made.identity, settings);
}

}  // namespace

case_listeners bind_tls_cases(io_pool& pool, const tcp::endpoint& where, const std::string& host,
                              const tls::listener_identity& identity, const connection_config& base,
                              connection_tracker& tracker, const std::set<std::string>* only) {
    if (identity.ca.key_pem.empty())
        throw std::invalid_argument(
            "TLS cases issue certificates: with a certificate of your own (--tls-cert), give "
            "its CA and the CA's key too (--tls-ca-cert, --tls-ca-key)");
    boost::system::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    const bool local = !ec && (address.is_loopback() || address.is_unspecified());
    const auto url_host = local                                 ? std::string{"localhost"}
                          : host.find(':') != std::string::npos ? "[" + host + "]"
                                                                : host;
    const bool secrets = base.handlers.tls_alerts;
    case_listeners out;
    out.by_name = std::make_shared<tls::sni_selection>();
    for (const auto& c : tls::tls_cases()) {
        if (only && !only->count(std::string{c.name})) continue;  // a scenario's tls_cases: those alone
        const auto made = tls::make_case(c.name, identity.ca, identity.names);
        if (made.settings.http2_only && !base.http2) continue;  // an HTTP/2 case, and --no-http2
        auto config = std::make_shared<connection_config>(base);
        config->tls = std::make_shared<net::ssl::context>(case_context(made, secrets, base.http2 && made.offers_h2));
        config->handshake_fault = made.fault;
        config->withhold_settings_acks = made.withhold_settings_acks;
        auto l = std::make_shared<listener>(pool, where, config, tracker);
        std::string sni;
        if (c.by_name) {
            sni = std::string{c.name} + ".localhost";
            // no-san names its host in the common name: by SNI, the name the client checks is this one.
            auto context = c.name == "no-san"
                               ? std::make_shared<net::ssl::context>(case_context(
                                     tls::make_case(c.name, identity.ca, identity.names, true), secrets, base.http2))
                               : config->tls;
            out.by_name->add(sni, std::move(context));
        }
        out.listing.push_back({std::string{c.name}, "https://" + url_host + ":" + std::to_string(l->port()), l->port(),
                               std::move(sni), std::string{c.presents}, std::string{c.verdict}});
        out.listeners.push_back(std::move(l));
    }
    return out;
}

}  // namespace teapot::detail

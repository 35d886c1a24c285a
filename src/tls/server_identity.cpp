#include "tls/server_identity.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <stdexcept>

namespace teapot::detail::tls {
namespace {

void add_name(leaf_request& leaf, const std::string& name) {
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(name, ec);
    if (!ec && address.is_unspecified()) return;  // 0.0.0.0 and :: name no host a client connects to
    auto& list = ec ? leaf.dns_names : leaf.ip_addresses;
    const auto text = ec ? name : address.to_string();
    if (std::find(list.begin(), list.end(), text) == list.end()) list.push_back(text);
}

void require_pair(const std::string& certificate, const std::string& key, const char* what) {
    if (certificate.empty() != key.empty())
        throw std::invalid_argument(std::string{"TLS: "} + what +
                                    ": a certificate needs its key, and a key its certificate");
}

}  // namespace

listener_identity identity_for(const tls_options& options, const std::string& host) {
    require_pair(options.ca_certificate_pem, options.ca_key_pem, "the CA (--tls-ca-cert, --tls-ca-key)");
    require_pair(options.certificate_pem, options.key_pem, "the server certificate (--tls-cert, --tls-key)");
    leaf_request leaf;
    add_name(leaf, host);
    for (const auto& name : options.names) add_name(leaf, name);
    if (!options.certificate_pem.empty())
        return {{options.certificate_pem, options.key_pem},
                options.ca_certificate_pem,
                {options.ca_certificate_pem, options.ca_key_pem},
                leaf};
    auto ca = options.ca_certificate_pem.empty() ? make_certificate_authority("teapot test CA")
                                                 : credentials{options.ca_certificate_pem, options.ca_key_pem};
    auto issued = issue_leaf(ca, leaf);
    auto ca_pem = ca.certificate_pem;
    return {{std::move(issued.certificate_pem), std::move(issued.key_pem)}, std::move(ca_pem), std::move(ca), leaf};
}

}  // namespace teapot::detail::tls

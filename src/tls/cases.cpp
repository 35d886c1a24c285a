#include "tls/cases.hpp"

#include <chrono>
#include <stdexcept>
#include <string>

namespace teapot::detail::tls {
namespace {

using namespace std::chrono_literals;
constexpr std::chrono::seconds day = 24h;

const std::vector<tls_case> table{
    {"expired", "a leaf that expired a day ago (valid 30 days until then)", "certificate has expired", true},
    {"not-yet-valid", "a leaf valid from tomorrow", "certificate is not yet valid", true},
    {"wrong-host", "a leaf for wrong-host.invalid only", "hostname mismatch", true},
    {"self-signed", "a leaf that signed itself", "self-signed certificate", true},
    {"untrusted-root", "a leaf and the root that issued it, a CA no client trusts",
     "self-signed certificate in certificate chain", true},
    {"incomplete-chain", "a leaf issued by an intermediate CA, without the intermediate",
     "unable to get local issuer certificate", true},
    {"reversed-chain", "a leaf, then its two intermediate CAs in the reverse order (root-side first)",
     "nothing: RFC 8446 §4.4.2 lets a client take the intermediates in any order, and OpenSSL does", true},
    {"no-san", "a leaf that names its host in the common name only, with no subjectAltName",
     "passes where the common name is still read (curl, Python's ssl, urllib3 1.26, Node); hostname mismatch where "
     "it is not (urllib3 2; RFC 6125 §6.4.4)",
     true},
    {"weak-key", "a leaf with an RSA 1024 key (served at OpenSSL security level 0)", "EE certificate key too weak",
     true},
    {"sha1", "a leaf signed with SHA-1 (served at OpenSSL security level 0)", "CA signature digest algorithm too weak",
     true},
    {"tls1.0", "the usual leaf, TLS 1.0 only (security level 0)",
     "protocol version alert (a client whose minimum is TLS 1.2), or legacy sigalg disallowed (one offering TLS 1.0)"},
    {"tls1.1", "the usual leaf, TLS 1.1 only (security level 0)",
     "protocol version alert (a client whose minimum is TLS 1.2), or legacy sigalg disallowed (one offering TLS 1.1)"},
    {"tls1.2", "the usual leaf, TLS 1.2 only", "nothing: a client that speaks TLS 1.2 passes"},
    {"tls1.3", "the usual leaf, TLS 1.3 only", "nothing: a client that speaks TLS 1.3 passes"},
    {"client-cert-required", "the usual leaf; asks every client for a certificate issued by the CA (mutual TLS)",
     "without one: alert certificate required (116) on the first read under TLS 1.3, handshake failure under 1.2"},
    {"client-cert-other-ca", "the usual leaf; asks for a client certificate issued by another CA than teapot's",
     "with teapot's client certificate: alert unknown ca (48)"},
    {"handshake-hang", "reads the ClientHello and never answers, until --max-delay",
     "a timeout of its own, if it has one"},
    {"handshake-reset", "reads the ClientHello, then an RST", "connection reset by peer"},
    {"handshake-alert-handshake-failure", "reads the ClientHello, then a fatal handshake_failure alert (40)",
     "alert handshake failure"},
    {"handshake-alert-internal-error", "reads the ClientHello, then a fatal internal_error alert (80)",
     "alert internal error"},
    {"handshake-alert-protocol-version", "reads the ClientHello, then a fatal protocol_version alert (70)",
     "alert protocol version"},
};

// A leaf for `names`, plus the case's own SNI name (NAME.localhost), which curl resolves to loopback.
leaf_request named(const leaf_request& names, std::string_view name) {
    auto leaf = names;
    leaf.dns_names.push_back(std::string{name} + ".localhost");
    return leaf;
}

server_identity served(const credentials& leaf, const std::string& chain_after_leaf = {}) {
    return {leaf.certificate_pem + chain_after_leaf, leaf.key_pem};
}

context_settings pinned(protocol_version v) { return {v, v, v < protocol_version::tls1_2}; }

}  // namespace

const std::vector<tls_case>& tls_cases() { return table; }

credentials make_client_certificate(const credentials& ca) {
    leaf_request client;
    client.common_name = "teapot test client";
    client.dns_names.clear();
    client.ip_addresses.clear();
    client.purpose = leaf_purpose::client;
    return issue_leaf(ca, client);
}

case_listener make_case(std::string_view name, const credentials& ca, const leaf_request& names, bool by_name) {
    auto leaf = named(names, name);
    if (name == "expired") {
        leaf.valid_from = -31 * day;
        leaf.valid_for = 30 * day;
        return {served(issue_leaf(ca, leaf)), {}};
    }
    if (name == "not-yet-valid") {
        leaf.valid_from = day;
        return {served(issue_leaf(ca, leaf)), {}};
    }
    if (name == "wrong-host") {
        leaf.common_name = "wrong-host.invalid";
        leaf.dns_names = {"wrong-host.invalid"};
        leaf.ip_addresses.clear();
        return {served(issue_leaf(ca, leaf)), {}};
    }
    if (name == "self-signed") return {served(make_self_signed_leaf(leaf)), {}};
    if (name == "untrusted-root") {
        const auto root = make_certificate_authority("teapot untrusted root");
        return {served(issue_leaf(root, leaf), root.certificate_pem), {}};
    }
    if (name == "incomplete-chain") {
        const auto intermediate = issue_intermediate(ca, "teapot intermediate CA");
        return {served(issue_leaf(intermediate, leaf)), {}};
    }
    if (name == "reversed-chain") {
        // Two intermediates, so that there is an order to reverse: root → upper → lower → leaf.
        const auto upper = issue_intermediate(ca, "teapot upper intermediate CA", 1);
        const auto lower = issue_intermediate(upper, "teapot lower intermediate CA");
        return {served(issue_leaf(lower, leaf), upper.certificate_pem + lower.certificate_pem), {}};
    }
    if (name == "no-san") {
        leaf.common_name = by_name                   ? std::string{name} + ".localhost"
                           : names.dns_names.empty() ? std::string{"localhost"}
                                                     : names.dns_names.front();
        leaf.dns_names.clear();
        leaf.ip_addresses.clear();
        return {served(issue_leaf(ca, leaf)), {}};
    }
    if (name == "weak-key") {
        leaf.key = key_kind::rsa_1024;
        return {served(issue_leaf(ca, leaf)), {.legacy = true}};
    }
    if (name == "sha1") {
        leaf.digest = signature_digest::sha1;
        return {served(issue_leaf(ca, leaf)), {.legacy = true}};
    }
    if (name == "tls1.0") return {served(issue_leaf(ca, leaf)), pinned(protocol_version::tls1_0)};
    if (name == "tls1.1") return {served(issue_leaf(ca, leaf)), pinned(protocol_version::tls1_1)};
    if (name == "tls1.2") return {served(issue_leaf(ca, leaf)), pinned(protocol_version::tls1_2)};
    if (name == "tls1.3") return {served(issue_leaf(ca, leaf)), pinned(protocol_version::tls1_3)};
    if (name == "client-cert-required") return {served(issue_leaf(ca, leaf)), {.client_ca_pem = ca.certificate_pem}};
    if (name == "client-cert-other-ca")
        return {served(issue_leaf(ca, leaf)),
                {.client_ca_pem = make_certificate_authority("teapot other client CA").certificate_pem}};
    // The handshake faults never reach the certificate: the usual one, for a context all the same.
    using fault = handshake_fault::kind;
    if (name == "handshake-hang") return {served(issue_leaf(ca, leaf)), {}, {fault::hang}};
    if (name == "handshake-reset") return {served(issue_leaf(ca, leaf)), {}, {fault::reset}};
    if (name == "handshake-alert-handshake-failure") return {served(issue_leaf(ca, leaf)), {}, {fault::alert, 40}};
    if (name == "handshake-alert-internal-error") return {served(issue_leaf(ca, leaf)), {}, {fault::alert, 80}};
    if (name == "handshake-alert-protocol-version") return {served(issue_leaf(ca, leaf)), {}, {fault::alert, 70}};
    throw std::invalid_argument("no TLS case '" + std::string{name} + "'");
}

}  // namespace teapot::detail::tls

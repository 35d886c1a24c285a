#include "tls/cases.hpp"

#include <chrono>
#include <stdexcept>
#include <string>

namespace teapot::detail::tls {
namespace {

using namespace std::chrono_literals;
constexpr std::chrono::seconds day = 24h;

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

/// What a case's builder gets: the CA, the leaf's names with the case's own, and the request.
struct case_input {
    const credentials& ca;
    leaf_request leaf;          ///< the names of `names`, plus NAME.localhost
    const leaf_request& names;  ///< as asked, without the case's name
    bool by_name;
    std::string_view name;
};

using fault_kind = handshake_fault::kind;

// The usual leaf of the CA, and `settings` or `fault`: the cases that differ in protocol or handshake.
case_listener usual(const case_input& in, context_settings settings = {}, handshake_fault fault = {}) {
    return {served(issue_leaf(in.ca, in.leaf)), std::move(settings), fault};
}

case_listener http11_only(case_listener made) {
    made.offers_h2 = false;
    return made;
}

struct case_row {
    tls_case listed;
    case_listener (*build)(case_input&);
};

// Each case once: what it is called, what it serves, what a client reports, and how it is built.
const std::vector<case_row> rows{
    {{"expired", "a leaf that expired a day ago (valid 30 days until then)", "certificate has expired", true},
     [](case_input& in) {
         in.leaf.valid_from = -31 * day;
         in.leaf.valid_for = 30 * day;
         return usual(in);
     }},
    {{"not-yet-valid", "a leaf valid from tomorrow", "certificate is not yet valid", true},
     [](case_input& in) {
         in.leaf.valid_from = day;
         return usual(in);
     }},
    {{"wrong-host", "a leaf for wrong-host.invalid only", "hostname mismatch", true},
     [](case_input& in) {
         in.leaf.common_name = "wrong-host.invalid";
         in.leaf.dns_names = {"wrong-host.invalid"};
         in.leaf.ip_addresses.clear();
         return usual(in);
     }},
    {{"self-signed", "a leaf that signed itself", "self-signed certificate", true},
     [](case_input& in) {
         return case_listener{served(make_self_signed_leaf(in.leaf)), {}};
     }},
    {{"untrusted-root", "a leaf and the root that issued it, a CA no client trusts",
      "self-signed certificate in certificate chain", true},
     [](case_input& in) {
         const auto root = make_certificate_authority("teapot untrusted root");
         return case_listener{served(issue_leaf(root, in.leaf), root.certificate_pem), {}};
     }},
    {{"incomplete-chain", "a leaf issued by an intermediate CA, without the intermediate",
      "unable to get local issuer certificate", true},
     [](case_input& in) {
         const auto intermediate = issue_intermediate(in.ca, "teapot intermediate CA");
         return case_listener{served(issue_leaf(intermediate, in.leaf)), {}};
     }},
    {{"reversed-chain", "a leaf, then its two intermediate CAs in the reverse order (root-side first)",
      "nothing: RFC 8446 §4.4.2 lets a client take the intermediates in any order, and OpenSSL does", true},
     [](case_input& in) {
         // Two intermediates, so that there is an order to reverse: root → upper → lower → leaf.
         const auto upper = issue_intermediate(in.ca, "teapot upper intermediate CA", 1);
         const auto lower = issue_intermediate(upper, "teapot lower intermediate CA");
         return case_listener{served(issue_leaf(lower, in.leaf), upper.certificate_pem + lower.certificate_pem), {}};
     }},
    {{"no-san", "a leaf that names its host in the common name only, with no subjectAltName",
      "passes where the common name is still read (curl, Python's ssl, urllib3 1.26, Node); hostname mismatch where "
      "it is not (urllib3 2; RFC 6125 §6.4.4)",
      true},
     [](case_input& in) {
         in.leaf.common_name = in.by_name                   ? std::string{in.name} + ".localhost"
                               : in.names.dns_names.empty() ? std::string{"localhost"}
                                                            : in.names.dns_names.front();
         in.leaf.dns_names.clear();
         in.leaf.ip_addresses.clear();
         return usual(in);
     }},
    {{"weak-key", "a leaf with an RSA 1024 key (served at OpenSSL security level 0)", "EE certificate key too weak",
      true},
     [](case_input& in) {
         in.leaf.key = key_kind::rsa_1024;
         return usual(in, {.legacy = true});
     }},
    {{"sha1", "a leaf signed with SHA-1 (served at OpenSSL security level 0)", "CA signature digest algorithm too weak",
      true},
     [](case_input& in) {
         in.leaf.digest = signature_digest::sha1;
         return usual(in, {.legacy = true});
     }},
    {{"tls1.0", "the usual leaf, TLS 1.0 only (security level 0)",
      "protocol version alert (a client whose minimum is TLS 1.2), or legacy sigalg disallowed (one offering TLS "
      "1.0)"},
     [](case_input& in) { return usual(in, pinned(protocol_version::tls1_0)); }},
    {{"tls1.1", "the usual leaf, TLS 1.1 only (security level 0)",
      "protocol version alert (a client whose minimum is TLS 1.2), or legacy sigalg disallowed (one offering TLS "
      "1.1)"},
     [](case_input& in) { return usual(in, pinned(protocol_version::tls1_1)); }},
    {{"tls1.2", "the usual leaf, TLS 1.2 only", "nothing: a client that speaks TLS 1.2 passes"},
     [](case_input& in) { return usual(in, pinned(protocol_version::tls1_2)); }},
    {{"tls1.3", "the usual leaf, TLS 1.3 only", "nothing: a client that speaks TLS 1.3 passes"},
     [](case_input& in) { return usual(in, pinned(protocol_version::tls1_3)); }},
    {{"client-cert-required", "the usual leaf; asks every client for a certificate issued by the CA (mutual TLS)",
      "without one: alert certificate required (116) on the first read under TLS 1.3, handshake failure under 1.2"},
     [](case_input& in) { return http11_only(usual(in, {.client_ca_pem = in.ca.certificate_pem})); }},
    {{"client-cert-other-ca", "the usual leaf; asks for a client certificate issued by another CA than teapot's",
      "with teapot's client certificate: alert unknown ca (48)"},
     [](case_input& in) {
         return http11_only(
             usual(in, {.client_ca_pem = make_certificate_authority("teapot other client CA").certificate_pem}));
     }},
    {{"no-resumption", "the usual leaf; no session tickets and no session cache",
      "nothing fails: every connection is a full handshake, and a client that offers a session gets a new one"},
     [](case_input& in) { return usual(in, {.resumption = false}); }},
    // The handshake faults: the usual certificate, which hang, reset and alert never reach.
    {{"handshake-hang", "reads the ClientHello and never answers, until --max-delay",
      "a timeout of its own, if it has one"},
     [](case_input& in) { return usual(in, {}, {fault_kind::hang}); }},
    {{"handshake-slow", "the handshake, the server's flights sent 128 bytes every 100 ms (about 1 s in all)",
      "nothing, within its handshake timeout; a timeout of its own, if it is shorter"},
     [](case_input& in) { return usual(in, {}, {.what = fault_kind::slow, .slow_bytes = 128, .slow_every = 100ms}); }},
    {{"handshake-reset", "reads the ClientHello, then an RST", "connection reset by peer"},
     [](case_input& in) { return usual(in, {}, {fault_kind::reset}); }},
    {{"handshake-alert-handshake-failure", "reads the ClientHello, then a fatal handshake_failure alert (40)",
      "alert handshake failure"},
     [](case_input& in) {
         return usual(in, {}, {fault_kind::alert, 40});
     }},
    {{"handshake-alert-internal-error", "reads the ClientHello, then a fatal internal_error alert (80)",
      "alert internal error"},
     [](case_input& in) {
         return usual(in, {}, {fault_kind::alert, 80});
     }},
    {{"handshake-alert-protocol-version", "reads the ClientHello, then a fatal protocol_version alert (70)",
      "alert protocol version"},
     [](case_input& in) {
         return usual(in, {}, {fault_kind::alert, 70});
     }},
    // HTTP/2's start, which a request comes too late to break (docs/http2.md, "The connection's start").
    {{"h2-settings-no-ack",
      "the usual leaf, ALPN h2 alone; over HTTP/2 the client's SETTINGS are never acknowledged (RFC 9113 §6.5.3)",
      "nothing, unless the client enforces SETTINGS_TIMEOUT; a client offering http/1.1 alone gets the "
      "no_application_protocol alert, one offering no protocol is served HTTP/1.1"},
     [](case_input& in) {
         auto made = usual(in, {.http2 = true, .http2_only = true});
         made.withhold_settings_acks = true;
         return made;
     }},
};

}  // namespace

const std::vector<tls_case>& tls_cases() {
    static const auto listed = [] {
        std::vector<tls_case> out;
        for (const auto& row : rows) out.push_back(row.listed);
        return out;
    }();
    return listed;
}

std::vector<std::string> tls_case_names() {
    std::vector<std::string> names;
    for (const auto& row : rows) names.emplace_back(row.listed.name);
    return names;
}

credentials make_client_certificate(const credentials& ca) {
    leaf_request client;
    client.common_name = "teapot test client";
    client.dns_names.clear();
    client.ip_addresses.clear();
    client.purpose = leaf_purpose::client;
    return issue_leaf(ca, client);
}

case_listener make_case(std::string_view name, const credentials& ca, const leaf_request& names, bool by_name) {
    for (const auto& row : rows) {
        if (row.listed.name != name) continue;
        case_input in{ca, named(names, name), names, by_name, name};
        return row.build(in);
    }
    throw std::invalid_argument("no TLS case '" + std::string{name} + "'");
}

}  // namespace teapot::detail::tls

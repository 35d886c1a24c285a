#pragma once
// The TLS cases (--tls-cases): listeners whose certificate or protocol is wrong in
// one way each, as badssl.com's are, minted per run so none expires in CI. The
// table says what each presents and what a client that verifies reports
// (OpenSSL's verification result; docs/tls.md has each client's exact words).

#include "tls/certificates.hpp"
#include "tls/server_context.hpp"

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace teapot::detail::tls {

struct tls_case {
    std::string_view name;      ///< in the listing and in the case's SNI name: NAME.localhost
    std::string_view presents;  ///< what the listener serves, one line
    std::string_view verdict;   ///< what a client that verifies against the CA reports
    /// A certificate case: also selected by its SNI name on the main HTTPS port (the others
    /// differ in protocol or in the handshake itself, which a name cannot switch).
    bool by_name = false;
};

/// Every case, in the order they are listed.
const std::vector<tls_case>& tls_cases();

/// Their names, in the same order: what a scenario's tls_cases may name.
std::vector<std::string> tls_case_names();

/// What a listener does instead of a handshake (the handshake faults): nothing until
/// --max-delay, an RST, or a fatal alert (RFC 8446 §6) after the client's first flight;
/// or the handshake itself with the server's flights dribbled (slow).
struct handshake_fault {
    enum class kind { none, hang, reset, alert, slow };
    kind what = kind::none;
    unsigned char alert = 0;                 ///< the AlertDescription, for kind::alert: 40 handshake_failure...
    std::size_t slow_bytes = 0;              ///< kind::slow: this many bytes of the server's flight...
    std::chrono::milliseconds slow_every{};  ///< ...at a time, this long apart

    /// hang, reset and alert end the connection without a handshake; slow completes one.
    bool replaces_handshake() const noexcept { return what != kind::none && what != kind::slow; }
};

/// What a case's listener serves.
struct case_listener {
    server_identity identity;
    context_settings settings;
    handshake_fault fault{};
    /// HTTP/2's own start broken (h2-settings-no-ack): the client's SETTINGS never acknowledged.
    bool withhold_settings_acks = false;
    /// ALPN may offer h2 (when HTTP/2 is on). Not for mutual TLS: curl 7.88's h2 turns the TLS 1.3
    /// refusal into a racy exit 55 ("getpeername() failed", or "Send failure") instead of the alert.
    bool offers_h2 = true;
};

/// A client certificate and key issued by `ca` (clientAuth, CN "teapot test client"): what
/// client-cert-required accepts (--client-cert-out writes it).
credentials make_client_certificate(const credentials& ca);

/// The listener of case `name` (one of tls_cases()), its certificates issued by `ca`
/// (or by a CA of its own, for the untrusted ones) for the names of `names`.
/// `by_name`: for the main port's selection by SNI, where the name a client checks is
/// NAME.localhost (no-san's common name is then that). Throws std::invalid_argument for an
/// unknown name, std::runtime_error when OpenSSL fails.
case_listener make_case(std::string_view name, const credentials& ca, const leaf_request& names, bool by_name = false);

}  // namespace teapot::detail::tls

#include "faults/fault_fit.hpp"

#include "faults/fault_syntax.hpp"

namespace teapot::detail {

std::string fault_misfit(const response_plan& plan) {
    const auto& f = plan.fault;
    if (!f.active() && !plan.stream) return {};
    std::string name = f.active() ? "fault " + std::string{fault_name(f.what)} : std::string{"stream"};
    if (plan.action != response_plan::kind::respond)
        return name + " cannot apply to status 444 or a WebSocket upgrade: they are not plain responses";
    if (f.sends_no_response() && plan.stream) return "stream cannot apply: " + name + " sends no response to pace";
    const auto status = std::to_string(plan.final_head.status);
    if ((f.needs_body() || plan.stream) && plan.body_framing == framing::none)
        return name + " needs a response with a body; " + status + " has none";
    if ((f.what == fault::kind::wrong_length || f.what == fault::kind::bad_chunk) &&
        plan.body_framing == framing::chunked)
        return name + " needs a body framed by Content-Length; this answer is chunked, for its trailers";
    const auto size = plan.body.size();
    if (auto kept = f.kept_bytes(); kept && *kept >= size)
        return name + " must keep fewer bytes than the body has (" + std::to_string(size) + " for " + status + ")";
    if (f.what == fault::kind::wrong_length && f.length_delta < 0 && static_cast<std::size_t>(-f.length_delta) > size)
        return "fault wrong_length cannot announce fewer than 0 bytes: the body has " + std::to_string(size);
    return {};
}

std::string settings_no_ack_misfit() {
    return "fault settings_no_ack withholds the acknowledgement of the client's first SETTINGS, which come before any "
           "request but the one that upgrades to h2c: ask it with Upgrade: h2c (curl --http2 on an http:// URL, "
           "nghttp -u), or connect to the h2-settings-no-ack listener (--tls-cases)";
}

std::string transport_misfit(const fault& f, const tls_facts* tls, bool traffic_secrets, unsigned version) {
    if (f.what == fault::kind::settings_no_ack && version != 20) return settings_no_ack_misfit();
    if (f.needs_http2() && version != 20)
        return "fault " + std::string{fault_name(f.what)} +
               " works on HTTP/2's frames, and this request came over HTTP/1: ask over HTTP/2 (curl "
               "--http2-prior-knowledge, or HTTPS, where ALPN chooses h2)";
    if (f.what == fault::kind::bad_chunk && version == 20)
        return "fault bad-chunk has no HTTP/2 form: HTTP/2 has no chunked coding (RFC 9113 §8.2.2); wrong_length and "
               "truncate break its framing";
    if (!f.needs_tls()) return {};
    const std::string name{fault_name(f.what)};
    if (!tls)
        return "fault " + name +
               " breaks the TLS stream: it needs HTTPS (--tls-port), and this request came over plain HTTP";
    const bool tls13 = tls->version == "TLSv1.3";
    if (f.what == fault::kind::tls_key_update && !tls13)
        return "fault tls-key-update needs TLS 1.3 (RFC 8446 §4.6.3), and this connection is " + tls->version +
               ": tls-renegotiate is its counterpart before TLS 1.3";
    if (f.what == fault::kind::tls_renegotiate && tls13)
        return "fault tls-renegotiate needs TLS 1.2 or earlier: TLS 1.3 has no renegotiation (RFC 8446 §4.6.3 has "
               "tls-key-update instead); ask a TLS 1.2 connection (curl --tls-max 1.2) or the tls1.2 case";
    // teapot seals the alert itself (tls/sealed_alert.hpp), with the AEADs every TLS 1.2+ client offers first.
    const bool aead = tls->cipher.find("GCM") != std::string::npos || tls->cipher.find("CHACHA20") != std::string::npos;
    if (f.what == fault::kind::tls_alert && (!aead || (!tls13 && tls->version != "TLSv1.2")))
        return "fault tls-alert needs TLS 1.2 or 1.3 with an AES-GCM or ChaCha20-Poly1305 cipher suite, and this "
               "connection is " +
               tls->version + " with " + tls->cipher;
    if (f.what == fault::kind::tls_alert && tls13 && !traffic_secrets)
        return "fault tls-alert under TLS 1.3 needs teapot started with --tls-alerts (tls.alerts): it keeps each "
               "connection's traffic secret, which costs every handshake; a TLS 1.2 connection needs nothing";
    return {};
}

bool needs_http11(const response_plan& plan) {
    if (plan.action == response_plan::kind::websocket_echo) return true;  // a scenario's 101 step
    if (plan.action == response_plan::kind::event_stream) return true;    // served over HTTP/1.1 only
    const auto& f = plan.fault;
    // No HTTP/2 form: renegotiation (RFC 9113 §9.2.1 forbids it; HTTP_1_1_REQUIRED is its answer).
    return f.what == fault::kind::tls_renegotiate;
}

}  // namespace teapot::detail

#include "tls/server_context.hpp"

#include "tls/write_keys.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/system/system_error.hpp>

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <memory>
#include <stdexcept>
#include <string_view>

namespace teapot::detail::tls {
namespace {

namespace ssl = boost::asio::ssl;

// RFC 7301 §3.1: both lists are length-prefixed names, the server's in its order of preference.
// h2 only where HTTP/2 is served (advertising h2 over an HTTP/1 codec makes curl fail with an
// empty reply), and over TLS 1.2 or later (RFC 9113 §9.2); `arg` points at the offer.
enum class offer { http11, h2_then_http11, h2 };
int select_protocol(SSL* ssl, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
                    unsigned int in_length, void* arg) {
    static constexpr unsigned char http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    static constexpr unsigned char h2_then_http11[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    auto offered = *static_cast<const offer*>(arg);
    if (offered == offer::h2_then_http11 && SSL_version(ssl) < TLS1_2_VERSION) offered = offer::http11;
    const auto* ours = offered == offer::http11 ? http11 : h2_then_http11;
    const unsigned ours_length = offered == offer::http11 ? sizeof http11
                                 : offered == offer::h2   ? 3  // "h2" alone: the first entry
                                                          : sizeof h2_then_http11;
    unsigned char* chosen = nullptr;
    if (SSL_select_next_proto(&chosen, out_length, ours, ours_length, in, in_length) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_ALERT_FATAL;
    *out = chosen;
    return SSL_TLSEXT_ERR_OK;
}

int openssl_version(protocol_version v) {
    switch (v) {
        case protocol_version::tls1_0: return TLS1_VERSION;
        case protocol_version::tls1_1: return TLS1_1_VERSION;
        case protocol_version::tls1_2: return TLS1_2_VERSION;
        case protocol_version::tls1_3: return TLS1_3_VERSION;
    }
    return TLS1_2_VERSION;
}

}  // namespace

ssl::context make_server_context(const server_identity& identity, const context_settings& settings) {
    ssl::context context{ssl::context::tls_server};
    auto* native = context.native_handle();
    if (settings.legacy) {
        // Before the certificate is loaded: at level 2 OpenSSL refuses a weak one outright.
        SSL_CTX_set_security_level(native, 0);
        SSL_CTX_set_cipher_list(native, "DEFAULT:@SECLEVEL=0");
    }
    SSL_CTX_set_min_proto_version(native, openssl_version(settings.min_version));
    SSL_CTX_set_max_proto_version(native, openssl_version(settings.max_version));
    // Resumption by session ID needs a context ID (tickets do not); both stay on.
    static constexpr unsigned char session_context[] = "teapot";
    SSL_CTX_set_session_id_context(native, session_context, sizeof session_context - 1);
    if (!settings.resumption) {
        SSL_CTX_set_options(native, SSL_OP_NO_TICKET);               // TLS 1.2's tickets
        SSL_CTX_set_num_tickets(native, 0);                          // TLS 1.3's NewSessionTicket
        SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);  // and no resumption by ID
    }
    static constexpr offer offers[] = {offer::http11, offer::h2_then_http11, offer::h2};
    const auto& offered = offers[!settings.http2 ? 0 : settings.http2_only ? 2 : 1];
    SSL_CTX_set_alpn_select_cb(native, select_protocol, const_cast<offer*>(&offered));
    follow_write_keys(native, settings.traffic_secrets);  // tls-alert seals a record of its own
    try {
        context.use_certificate_chain(boost::asio::buffer(identity.chain_pem));
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error(std::string{"TLS: the certificate does not load: "} + e.what());
    }
    try {
        context.use_private_key(boost::asio::buffer(identity.key_pem), ssl::context::pem);
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error(std::string{"TLS: the private key does not load or does not match the certificate: "} +
                                 e.what());
    }
    if (SSL_CTX_check_private_key(native) != 1)
        throw std::runtime_error("TLS: the private key does not match the certificate");
    if (!settings.client_ca_pem.empty()) {
        // The CA both verifies the client's chain and is named in the CertificateRequest
        // (RFC 8446 §4.3.2 certificate_authorities), so a client picks the right certificate.
        context.add_certificate_authority(boost::asio::buffer(settings.client_ca_pem));
        std::unique_ptr<BIO, decltype(&BIO_free)> bio{
            BIO_new_mem_buf(settings.client_ca_pem.data(), static_cast<int>(settings.client_ca_pem.size())), &BIO_free};
        if (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
            SSL_CTX_add_client_CA(native, ca);
            X509_free(ca);
        }
        SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    }
    return context;
}

}  // namespace teapot::detail::tls

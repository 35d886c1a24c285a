#include "tls/sni_selection.hpp"

#include "util/ascii.hpp"

#include <openssl/ssl.h>

#include <string_view>

namespace teapot::detail::tls {

void sni_selection::add(std::string name, std::shared_ptr<boost::asio::ssl::context> context) {
    contexts_.emplace_back(std::move(name), std::move(context));
}

void sni_selection::attach(boost::asio::ssl::context& main) const {
    SSL_CTX_set_tlsext_servername_callback(main.native_handle(), &sni_selection::on_server_name);
    SSL_CTX_set_tlsext_servername_arg(main.native_handle(), const_cast<sni_selection*>(this));
}

int sni_selection::on_server_name(SSL* ssl, int* /*alert*/, void* self) {
    const char* sent = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (!sent) return SSL_TLSEXT_ERR_OK;
    const std::string_view name{sent};
    for (const auto& [case_name, context] : static_cast<const sni_selection*>(self)->contexts_)
        // RFC 6066 §3: the name is a DNS name, compared without regard to case.
        if (iequals(name, case_name)) {
            // The certificate, its chain and key, and the security level they need: the protocol
            // and the verification stay the main context's (OpenSSL switches only those).
            SSL_set_SSL_CTX(ssl, context->native_handle());
            break;
        }
    return SSL_TLSEXT_ERR_OK;
}

}  // namespace teapot::detail::tls

#include "tls/session_facts.hpp"

#include <openssl/bio.h>
#include <openssl/buffer.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace teapot::detail::tls {
namespace {

constexpr std::size_t longest_name = 1024;

// RFC 2253's order and escaping ("CN=client,O=teapot"), as nginx's $ssl_client_s_dn gives it.
std::string rfc2253(const X509_NAME* name) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new(BIO_s_mem()), &BIO_free};
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) return {};
    BUF_MEM* mem = nullptr;
    BIO_get_mem_ptr(bio.get(), &mem);
    return {mem->data, std::min(mem->length, longest_name)};
}

}  // namespace

tls_facts facts_of(const SSL* ssl) {
    tls_facts facts;
    if (const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) facts.server_name = name;
    facts.version = SSL_get_version(ssl);
    if (const char* cipher = SSL_get_cipher_name(ssl)) facts.cipher = cipher;
    const unsigned char* alpn = nullptr;
    unsigned alpn_length = 0;
    SSL_get0_alpn_selected(ssl, &alpn, &alpn_length);
    if (alpn) facts.alpn.assign(reinterpret_cast<const char*>(alpn), alpn_length);
    if (X509* client = SSL_get1_peer_certificate(ssl)) {
        facts.client_subject = rfc2253(X509_get_subject_name(client));
        facts.client_issuer = rfc2253(X509_get_issuer_name(client));
        X509_free(client);
    }
    return facts;
}

}  // namespace teapot::detail::tls

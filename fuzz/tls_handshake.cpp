// libFuzzer target: arbitrary bytes as a client's first flights, fed to the server side
// of a TLS handshake with the contexts the HTTPS listeners use (docs/fuzzing.md): the
// main one, a mutual TLS one and a security-level-0 TLS 1.0 one, chosen by the first
// byte. OpenSSL reads them from a memory BIO, as from the socket. Asserted beyond no
// crash: the server's reply to one input stays bounded.

#include "fuzz_check.hpp"
#include "tls/cases.hpp"
#include "tls/certificates.hpp"
#include "tls/server_context.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

using namespace teapot::detail;

namespace {

struct contexts {
    boost::asio::ssl::context main, mutual, legacy;
};

contexts& the_contexts() {
    // Minted once: a CA, a leaf, the three contexts, as the server makes them at start.
    static auto* made = [] {
        const auto ca = tls::make_certificate_authority("fuzz CA");
        const auto leaf = tls::issue_leaf(ca, tls::leaf_request{});
        const tls::server_identity identity{leaf.certificate_pem, leaf.key_pem};
        return new contexts{
            tls::make_server_context(identity),
            tls::make_server_context(identity, {.client_ca_pem = ca.certificate_pem}),
            tls::make_server_context(identity, {tls::protocol_version::tls1_0, tls::protocol_version::tls1_3, true}),
        };
    }();
    return *made;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    auto& c = the_contexts();
    auto& context = data[0] % 3 == 0 ? c.main : data[0] % 3 == 1 ? c.mutual : c.legacy;
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl{SSL_new(context.native_handle()), &SSL_free};
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in, -1);  // no more bytes reads as "would block", as a socket's
    BIO_write(in, data + 1, static_cast<int>(size - 1));
    SSL_set_bio(ssl.get(), in, out);  // owned by the SSL from here
    SSL_set_accept_state(ssl.get());
    std::array<char, 4096> plain{};
    // Each call consumes input or fails: a bounded number of steps covers every input.
    for (int step = 0; step < 64; ++step) {
        const int n = SSL_is_init_finished(ssl.get()) ? SSL_read(ssl.get(), plain.data(), plain.size())
                                                      : SSL_do_handshake(ssl.get());
        if (n <= 0) {
            const int error = SSL_get_error(ssl.get(), n);
            if (error != SSL_ERROR_WANT_WRITE) break;
        }
        // What the server writes back is read away each step, as the socket would take it.
        teapot::fuzz::check(BIO_ctrl_pending(out) < 256 * 1024, "a server flight larger than 256 KiB");
        char sink[16384];
        while (BIO_read(out, sink, sizeof sink) > 0) {
        }
    }
    ERR_clear_error();
    return 0;
}

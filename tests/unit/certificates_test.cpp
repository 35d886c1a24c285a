// Certificates minted at run time: checked with OpenSSL's own verification, as a
// client's TLS library would check them.

#include <catch2/catch.hpp>

#include "tls/certificates.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <ctime>
#include <memory>
#include <string>

using namespace std::chrono_literals;
namespace tls = teapot::detail::tls;

namespace {

struct x509_free {
    void operator()(X509* p) const noexcept { X509_free(p); }
};
using cert_ptr = std::unique_ptr<X509, x509_free>;

cert_ptr parse(const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free};
    return cert_ptr{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)};
}

bool key_parses(const std::string& pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free};
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    EVP_PKEY_free(key);
    return key != nullptr;
}

// X509_verify_cert's verdict on `leaf` against a store that trusts `ca` alone: X509_V_OK or the reason.
int verify(X509* leaf, X509* ca, std::time_t at = std::time(nullptr)) {
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store{X509_STORE_new(), X509_STORE_free};
    X509_STORE_add_cert(store.get(), ca);
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx{X509_STORE_CTX_new(), X509_STORE_CTX_free};
    X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
    X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
    X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), at);
    if (X509_verify_cert(ctx.get()) == 1) return X509_V_OK;
    return X509_STORE_CTX_get_error(ctx.get());
}

}  // namespace

TEST_CASE("certificates: a CA that signs, and a leaf it issues that verifies for localhost", "[tls]") {
    const auto ca = tls::make_certificate_authority("teapot test CA");
    const auto leaf = tls::issue_leaf(ca, tls::leaf_request{});
    CHECK(key_parses(ca.key_pem));
    CHECK(key_parses(leaf.key_pem));
    auto ca_cert = parse(ca.certificate_pem);
    auto leaf_cert = parse(leaf.certificate_pem);
    REQUIRE(ca_cert);
    REQUIRE(leaf_cert);
    CHECK(X509_check_ca(ca_cert.get()) == 1);
    CHECK(X509_check_ca(leaf_cert.get()) == 0);
    CHECK(verify(leaf_cert.get(), ca_cert.get()) == X509_V_OK);
    // The names a client checks, from subjectAltName.
    CHECK(X509_check_host(leaf_cert.get(), "localhost", 0, 0, nullptr) == 1);
    CHECK(X509_check_ip_asc(leaf_cert.get(), "127.0.0.1", 0) == 1);
    CHECK(X509_check_ip_asc(leaf_cert.get(), "::1", 0) == 1);
    CHECK(X509_check_host(leaf_cert.get(), "example.com", 0, 0, nullptr) == 0);
}

TEST_CASE("certificates: validity is relative to now, so a run's certificates are never expired", "[tls]") {
    const auto ca = tls::make_certificate_authority("teapot test CA");
    auto ca_cert = parse(ca.certificate_pem);
    auto leaf_cert = parse(tls::issue_leaf(ca, tls::leaf_request{}).certificate_pem);
    const auto now = std::time(nullptr);
    CHECK(verify(leaf_cert.get(), ca_cert.get(), now - 1800) == X509_V_OK);  // clocks that lag a little
    CHECK(verify(leaf_cert.get(), ca_cert.get(), now + 29 * 24 * 3600) == X509_V_OK);
    CHECK(verify(leaf_cert.get(), ca_cert.get(), now + 31 * 24 * 3600) == X509_V_ERR_CERT_HAS_EXPIRED);

    tls::leaf_request expired;
    expired.valid_from = -48h;
    expired.valid_for = 24h;
    auto old = parse(tls::issue_leaf(ca, expired).certificate_pem);
    CHECK(verify(old.get(), ca_cert.get()) == X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST_CASE("certificates: the names asked for, and nothing from another CA verifies", "[tls]") {
    const auto ca = tls::make_certificate_authority("teapot test CA");
    tls::leaf_request names;
    names.dns_names = {"localhost", "teapot.test", "*.cases.localhost"};
    names.ip_addresses = {"127.0.0.1", "10.1.2.3"};
    auto leaf = parse(tls::issue_leaf(ca, names).certificate_pem);
    CHECK(X509_check_host(leaf.get(), "teapot.test", 0, 0, nullptr) == 1);
    CHECK(X509_check_host(leaf.get(), "expired.cases.localhost", 0, 0, nullptr) == 1);
    CHECK(X509_check_ip_asc(leaf.get(), "10.1.2.3", 0) == 1);
    CHECK(X509_check_ip_asc(leaf.get(), "::1", 0) == 0);

    const auto other = tls::make_certificate_authority("another CA");
    CHECK(verify(leaf.get(), parse(other.certificate_pem).get()) ==
          X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);  // each run's CA is its own
}

TEST_CASE("certificates: a malformed address or issuer is an error that says which", "[tls]") {
    const auto ca = tls::make_certificate_authority("teapot test CA");
    tls::leaf_request bad;
    bad.ip_addresses = {"127.0.0.300"};
    CHECK_THROWS_WITH(tls::issue_leaf(ca, bad), Catch::Contains("127.0.0.300"));
    CHECK_THROWS_WITH(tls::issue_leaf({"not PEM", "not PEM"}, tls::leaf_request{}),
                      Catch::Contains("issuer's certificate"));
}

TEST_CASE("certificates: an intermediate issues a leaf that verifies only with it, and a client leaf says clientAuth",
          "[tls]") {
    const auto ca = tls::make_certificate_authority("root");
    const auto intermediate = tls::issue_intermediate(ca, "intermediate");
    const auto leaf = tls::issue_leaf(intermediate, tls::leaf_request{});
    auto root_cert = parse(ca.certificate_pem);
    auto leaf_cert = parse(leaf.certificate_pem);
    CHECK(verify(leaf_cert.get(), root_cert.get()) == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    tls::leaf_request client;
    client.purpose = tls::leaf_purpose::client;
    auto client_cert = parse(tls::issue_leaf(ca, client).certificate_pem);
    CHECK(X509_check_purpose(client_cert.get(), X509_PURPOSE_SSL_CLIENT, 0) == 1);
    CHECK(X509_check_purpose(client_cert.get(), X509_PURPOSE_SSL_SERVER, 0) == 0);
    auto self = parse(tls::make_self_signed_leaf(tls::leaf_request{}).certificate_pem);
    CHECK(verify(self.get(), root_cert.get()) == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
}

TEST_CASE("certificates: a weak leaf has an RSA 1024 key, a sha1 leaf a SHA-1 signature", "[tls]") {
    const auto ca = tls::make_certificate_authority("root");
    tls::leaf_request weak;
    weak.key = tls::key_kind::rsa_1024;
    auto weak_cert = parse(tls::issue_leaf(ca, weak).certificate_pem);
    CHECK(EVP_PKEY_get_bits(X509_get0_pubkey(weak_cert.get())) == 1024);
    tls::leaf_request sha1;
    sha1.digest = tls::signature_digest::sha1;
    auto sha1_cert = parse(tls::issue_leaf(ca, sha1).certificate_pem);
    CHECK(X509_get_signature_nid(sha1_cert.get()) == NID_ecdsa_with_SHA1);
}

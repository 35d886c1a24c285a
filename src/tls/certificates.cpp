#include "tls/certificates.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/buffer.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace teapot::detail::tls {
namespace {

template <typename T, void (*Free)(T*)>
struct freer {
    void operator()(T* p) const noexcept { Free(p); }
};
using x509_ptr = std::unique_ptr<X509, freer<X509, X509_free>>;
using key_ptr = std::unique_ptr<EVP_PKEY, freer<EVP_PKEY, EVP_PKEY_free>>;
using bio_ptr = std::unique_ptr<BIO, freer<BIO, BIO_free_all>>;
using bignum_ptr = std::unique_ptr<BIGNUM, freer<BIGNUM, BN_free>>;
using names_ptr = std::unique_ptr<GENERAL_NAMES, freer<GENERAL_NAMES, GENERAL_NAMES_free>>;
using extension_ptr = std::unique_ptr<X509_EXTENSION, freer<X509_EXTENSION, X509_EXTENSION_free>>;

// OpenSSL's reason for the last failure, after what teapot was doing.
[[noreturn]] void fail(const std::string& doing) {
    std::string reason = "unknown reason";
    if (const auto code = ERR_get_error(); code != 0) {
        char text[256];
        ERR_error_string_n(code, text, sizeof text);
        reason = text;
    }
    ERR_clear_error();
    throw std::runtime_error("TLS: cannot " + doing + ": " + reason);
}

template <typename T>
T* checked(T* p, const std::string& doing) {
    if (!p) fail(doing);
    return p;
}

void check(int ok, const std::string& doing) {
    if (ok <= 0) fail(doing);
}

key_ptr new_p256_key() { return key_ptr{checked(EVP_EC_gen("P-256"), "generate an EC P-256 key")}; }

key_ptr new_key(key_kind kind) {
    if (kind == key_kind::rsa_1024) return key_ptr{checked(EVP_RSA_gen(1024), "generate an RSA 1024 key")};
    return new_p256_key();
}

// A new certificate for `key`: v3, a random 159-bit serial (RFC 5280 §4.1.2.2: positive,
// at most 20 bytes), subject CN=`common_name`, O=teapot, valid from `from` for `length`.
x509_ptr new_certificate(EVP_PKEY* key, const std::string& common_name, std::chrono::seconds from,
                         std::chrono::seconds length) {
    x509_ptr cert{checked(X509_new(), "allocate a certificate")};
    check(X509_set_version(cert.get(), X509_VERSION_3), "set the certificate version");
    bignum_ptr serial{checked(BN_new(), "allocate a serial number")};
    check(BN_rand(serial.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "draw a serial number");
    checked(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())), "set the serial number");
    checked(X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(from.count())), "set notBefore");
    checked(X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>((from + length).count())),
            "set notAfter");
    check(X509_set_pubkey(cert.get(), key), "set the public key");
    // The most general name first, as in every certificate (RFC 2253 then reads "CN=...,O=teapot").
    auto* subject = X509_get_subject_name(cert.get());
    const auto* org = reinterpret_cast<const unsigned char*>("teapot");
    check(X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_UTF8, org, -1, -1, 0), "set the organisation");
    const auto* cn = reinterpret_cast<const unsigned char*>(common_name.c_str());
    check(X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8, cn, -1, -1, 0), "set the common name");
    return cert;
}

// An extension written as OpenSSL's configuration text ("critical,CA:TRUE"), with
// `issuer` and `subject` known for the key identifiers.
void add_extension(X509* subject, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, subject, nullptr, nullptr, 0);
    extension_ptr ext{checked(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value),
                              std::string{"build extension "} + OBJ_nid2sn(nid) + "=" + value)};
    check(X509_add_ext(subject, ext.get(), -1), std::string{"add extension "} + OBJ_nid2sn(nid));
}

// Adds `value` (owned: freed on failure) to `names` as a GENERAL_NAME of `type`.
template <typename Value, void (*Free)(Value*)>
void push_name(GENERAL_NAMES* names, int type, Value* value, const std::string& what) {
    auto* name = GENERAL_NAME_new();
    if (!name) {
        Free(value);
        fail("allocate " + what);
    }
    GENERAL_NAME_set0_value(name, type, value);
    if (sk_GENERAL_NAME_push(names, name) <= 0) {
        GENERAL_NAME_free(name);
        fail("add " + what);
    }
}

// subjectAltName from the names themselves, not from configuration text: a name with a
// comma would otherwise be read as two.
void add_subject_alt_names(X509* cert, const leaf_request& request) {
    names_ptr names{checked(GENERAL_NAMES_new(), "allocate subjectAltName")};
    for (const auto& dns : request.dns_names) {
        auto* ia5 = checked(ASN1_IA5STRING_new(), "allocate a DNS name");
        if (ASN1_STRING_set(ia5, dns.data(), static_cast<int>(dns.size())) <= 0) {
            ASN1_IA5STRING_free(ia5);
            fail("set DNS name " + dns);
        }
        push_name<ASN1_IA5STRING, ASN1_IA5STRING_free>(names.get(), GEN_DNS, ia5, "DNS name " + dns);
    }
    for (const auto& ip : request.ip_addresses) {
        auto* octets = a2i_IPADDRESS(ip.c_str());
        if (!octets) throw std::runtime_error("TLS: '" + ip + "' is not an IPv4 or IPv6 address");
        push_name<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>(names.get(), GEN_IPADD, octets, "IP address " + ip);
    }
    check(X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT), "add subjectAltName");
}

std::string pem_of(const X509* cert) {
    bio_ptr bio{checked(BIO_new(BIO_s_mem()), "allocate a buffer")};
    check(PEM_write_bio_X509(bio.get(), cert), "write a certificate as PEM");
    BUF_MEM* mem = nullptr;
    BIO_get_mem_ptr(bio.get(), &mem);
    return {mem->data, mem->length};
}

std::string pem_of(const EVP_PKEY* key) {
    bio_ptr bio{checked(BIO_new(BIO_s_mem()), "allocate a buffer")};
    check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr), "write a key as PEM");
    BUF_MEM* mem = nullptr;
    BIO_get_mem_ptr(bio.get(), &mem);
    return {mem->data, mem->length};
}

bio_ptr reading(const std::string& pem) {
    return bio_ptr{checked(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), "read PEM")};
}

void sign(X509* cert, EVP_PKEY* key, signature_digest digest = signature_digest::sha256) {
    check(X509_sign(cert, key, digest == signature_digest::sha1 ? EVP_sha1() : EVP_sha256()), "sign a certificate");
}

struct parsed_issuer {
    x509_ptr certificate;
    key_ptr key;
};

parsed_issuer parse_issuer(const credentials& issuer) {
    auto issuer_bio = reading(issuer.certificate_pem);
    x509_ptr cert{PEM_read_bio_X509(issuer_bio.get(), nullptr, nullptr, nullptr)};
    if (!cert) fail("read the issuer's certificate");
    auto key_bio = reading(issuer.key_pem);
    key_ptr key{PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr)};
    if (!key) fail("read the issuer's key");
    return {std::move(cert), std::move(key)};
}

// A server leaf's extensions, with `issuer` for the authority key identifier.
void add_leaf_extensions(X509* cert, X509* issuer, const leaf_request& request) {
    add_extension(cert, issuer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(
        cert, issuer, NID_key_usage,
        request.key == key_kind::rsa_1024 ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature");
    add_extension(cert, issuer, NID_ext_key_usage,
                  request.purpose == leaf_purpose::client ? "clientAuth" : "serverAuth");
    add_extension(cert, issuer, NID_subject_key_identifier, "hash");
    add_extension(cert, issuer, NID_authority_key_identifier, "keyid:always");
    if (!request.dns_names.empty() || !request.ip_addresses.empty()) add_subject_alt_names(cert, request);
}

}  // namespace

credentials make_certificate_authority(const std::string& common_name) {
    auto key = new_p256_key();
    auto cert = new_certificate(key.get(), common_name, std::chrono::hours{-1}, std::chrono::hours{24 * 3653});
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())), "set the issuer");
    add_extension(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
    add_extension(cert.get(), cert.get(), NID_authority_key_identifier, "keyid:always");
    sign(cert.get(), key.get());
    return {pem_of(cert.get()), pem_of(key.get())};
}

credentials issue_leaf(const credentials& issuer, const leaf_request& request) {
    const auto parent = parse_issuer(issuer);
    auto key = new_key(request.key);
    auto cert = new_certificate(key.get(), request.common_name, request.valid_from, request.valid_for);
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(parent.certificate.get())), "set the issuer");
    add_leaf_extensions(cert.get(), parent.certificate.get(), request);
    sign(cert.get(), parent.key.get(), request.digest);
    return {pem_of(cert.get()), pem_of(key.get())};
}

credentials issue_intermediate(const credentials& issuer, const std::string& common_name, int path_length) {
    const auto parent = parse_issuer(issuer);
    auto key = new_p256_key();
    auto cert = new_certificate(key.get(), common_name, std::chrono::hours{-1}, std::chrono::hours{24 * 365});
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(parent.certificate.get())), "set the issuer");
    const auto constraints = "critical,CA:TRUE,pathlen:" + std::to_string(path_length);
    add_extension(cert.get(), parent.certificate.get(), NID_basic_constraints, constraints.c_str());
    add_extension(cert.get(), parent.certificate.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(cert.get(), parent.certificate.get(), NID_subject_key_identifier, "hash");
    add_extension(cert.get(), parent.certificate.get(), NID_authority_key_identifier, "keyid:always");
    sign(cert.get(), parent.key.get());
    return {pem_of(cert.get()), pem_of(key.get())};
}

credentials make_self_signed_leaf(const leaf_request& request) {
    auto key = new_key(request.key);
    auto cert = new_certificate(key.get(), request.common_name, request.valid_from, request.valid_for);
    check(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())), "set the issuer");
    add_leaf_extensions(cert.get(), cert.get(), request);
    sign(cert.get(), key.get(), request.digest);
    return {pem_of(cert.get()), pem_of(key.get())};
}

}  // namespace teapot::detail::tls

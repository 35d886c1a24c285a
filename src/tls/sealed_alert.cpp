#include "tls/sealed_alert.hpp"

#include "tls/key_schedule.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include <memory>
#include <string_view>
#include <vector>

namespace teapot::detail::tls {
namespace {

using bytes = std::vector<unsigned char>;
constexpr std::size_t tag_size = 16;         // every AEAD of TLS 1.2 and 1.3 here
constexpr unsigned char alert_type = 21;     // ContentType alert
constexpr unsigned char app_data_type = 23;  // TLS 1.3's outer type for every sealed record

struct cipher_ctx_free {
    void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};

// TLS 1.2's PRF (RFC 5246 §5) into `size` bytes, through OpenSSL's provider; empty on failure.
bytes tls12_prf(const OSSL_PARAM* params, std::size_t size) {
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_TLS1_PRF, nullptr);
    if (!kdf) return {};
    std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx{EVP_KDF_CTX_new(kdf), &EVP_KDF_CTX_free};
    EVP_KDF_free(kdf);
    bytes out(size);
    if (!ctx || EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) return {};
    return out;
}

// The AEAD's one sealing: ciphertext then tag, or empty on failure.
bytes seal(const EVP_CIPHER* cipher, const bytes& key, const bytes& nonce, const bytes& aad, const bytes& plain) {
    std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free> ctx{EVP_CIPHER_CTX_new()};
    bytes out(plain.size() + tag_size);
    int n = 0;
    int final_n = 0;
    const bool ok =
        ctx && EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, nullptr, nullptr) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) == 1 &&
        EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data()) == 1 &&
        EVP_EncryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) == 1 &&
        EVP_EncryptUpdate(ctx.get(), out.data(), &n, plain.data(), static_cast<int>(plain.size())) == 1 &&
        EVP_EncryptFinal_ex(ctx.get(), out.data() + n, &final_n) == 1 &&
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(tag_size), out.data() + plain.size()) ==
            1;
    return ok ? out : bytes{};
}

void put_u64(bytes& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<unsigned char>(v >> shift));
}

// The per-record nonce: the write IV with the sequence number XORed into its last 8 bytes
// (RFC 8446 §5.3, RFC 7905 §2).
bytes xored_nonce(bytes iv, std::uint64_t sequence) {
    for (std::size_t i = 0; i < 8; ++i) iv[iv.size() - 1 - i] ^= static_cast<unsigned char>(sequence >> (8 * i));
    return iv;
}

std::string record(const bytes& header, const bytes& explicit_nonce, const bytes& sealed) {
    std::string out(header.begin(), header.end());
    out.append(explicit_nonce.begin(), explicit_nonce.end());
    out.append(sealed.begin(), sealed.end());
    return out;
}

bytes header_of(unsigned char type, std::size_t length) {
    return {type, 3, 3, static_cast<unsigned char>(length >> 8), static_cast<unsigned char>(length)};
}

// RFC 8446 §5.2: the alert, then its real type, sealed in an application_data record.
std::string tls13_alert(const EVP_MD* md, const EVP_CIPHER* cipher, const write_keys& keys, const bytes& alert) {
    if (keys.secret.empty()) return {};  // never logged (no --tls-alerts)
    const auto key = expand_label(md, keys.secret, "key", static_cast<std::size_t>(EVP_CIPHER_get_key_length(cipher)));
    const auto iv = expand_label(md, keys.secret, "iv", 12);
    bytes plain = alert;
    plain.push_back(alert_type);
    const auto header = header_of(app_data_type, plain.size() + tag_size);
    const auto sealed =
        key.empty() || iv.empty() ? bytes{} : seal(cipher, key, xored_nonce(iv, keys.records), header, plain);
    return sealed.empty() ? std::string{} : record(header, {}, sealed);
}

// RFC 5246 §6.3's key block from the session's master secret, then §6.2.3.3's AEAD record:
// AES-GCM with an explicit nonce (RFC 5288 §3), ChaCha20-Poly1305 without (RFC 7905 §2).
std::string tls12_alert(SSL* ssl, const EVP_MD* md, const EVP_CIPHER* cipher, const write_keys& keys,
                        const bytes& alert) {
    const bool chacha = EVP_CIPHER_get_nid(cipher) == NID_chacha20_poly1305;
    const auto key_size = static_cast<std::size_t>(EVP_CIPHER_get_key_length(cipher));
    const std::size_t iv_size = chacha ? 12 : 4;
    bytes master(SSL_MAX_MASTER_KEY_LENGTH);
    master.resize(SSL_SESSION_get_master_key(SSL_get_session(ssl), master.data(), master.size()));
    constexpr std::string_view label = "key expansion";
    bytes seed(label.begin(), label.end());
    seed.resize(label.size() + 2 * SSL3_RANDOM_SIZE);
    SSL_get_server_random(ssl, seed.data() + label.size(), SSL3_RANDOM_SIZE);
    SSL_get_client_random(ssl, seed.data() + label.size() + SSL3_RANDOM_SIZE, SSL3_RANDOM_SIZE);
    std::string digest = EVP_MD_get0_name(md);
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest.data(), 0),
                                 OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, master.data(), master.size()),
                                 OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed.data(), seed.size()),
                                 OSSL_PARAM_construct_end()};
    const auto block = master.empty() ? bytes{} : tls12_prf(params, 2 * (key_size + iv_size));
    if (block.empty()) return {};
    // No MAC keys for an AEAD: client key, server key, client IV, server IV.
    const bytes key(block.begin() + static_cast<std::ptrdiff_t>(key_size),
                    block.begin() + static_cast<std::ptrdiff_t>(2 * key_size));
    const bytes iv(block.begin() + static_cast<std::ptrdiff_t>(2 * key_size + iv_size), block.end());
    bytes aad;
    put_u64(aad, keys.records);
    const auto header = header_of(alert_type, alert.size() + (chacha ? 0 : 8) + tag_size);
    aad.insert(aad.end(), header.begin(), header.begin() + 3);
    aad.push_back(0);
    aad.push_back(static_cast<unsigned char>(alert.size()));
    bytes explicit_nonce;
    bytes nonce = iv;
    if (chacha) {
        nonce = xored_nonce(iv, keys.records);
    } else {
        // Random, as OpenSSL's own counter starts: a nonce never reused under the key.
        explicit_nonce.resize(8);
        if (RAND_bytes(explicit_nonce.data(), 8) != 1) return {};
        nonce.insert(nonce.end(), explicit_nonce.begin(), explicit_nonce.end());
    }
    const auto sealed = seal(cipher, key, nonce, aad, alert);
    return sealed.empty() ? std::string{} : record(header, explicit_nonce, sealed);
}

}  // namespace

std::string sealed_alert(SSL* ssl, const write_keys& keys, unsigned char description) {
    const SSL_CIPHER* suite = SSL_get_current_cipher(ssl);
    const int nid = suite ? SSL_CIPHER_get_cipher_nid(suite) : NID_undef;
    const EVP_CIPHER* cipher = EVP_get_cipherbynid(nid);
    const EVP_MD* md = suite ? SSL_CIPHER_get_handshake_digest(suite) : nullptr;
    if (!cipher || !md || (nid != NID_aes_128_gcm && nid != NID_aes_256_gcm && nid != NID_chacha20_poly1305)) return {};
    const unsigned char level = description == 0 || description == 90 ? 1 : 2;  // close_notify, user_canceled
    const bytes alert{level, description};
    const int version = SSL_version(ssl);
    if (version == TLS1_3_VERSION) return tls13_alert(md, cipher, keys, alert);
    if (version == TLS1_2_VERSION) return tls12_alert(ssl, md, cipher, keys, alert);
    return {};  // older than TLS 1.2, which has no AEAD
}

}  // namespace teapot::detail::tls

#include "tls/write_keys.hpp"

#include "tls/key_schedule.hpp"

#include <openssl/ssl.h>

#include <string_view>
#include <utility>

namespace teapot::detail::tls {
namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// NSS key log format: "SERVER_TRAFFIC_SECRET_0 <client random> <secret>", both in hex (a
// secret is a hash's size: 48 bytes at most).
void on_key_log_line(const SSL* ssl, const char* line) {
    constexpr std::string_view label = "SERVER_TRAFFIC_SECRET_0 ";
    const std::string_view text{line};
    if (!text.starts_with(label)) return;
    auto* keys = static_cast<write_keys*>(SSL_get_app_data(ssl));
    const auto space = text.rfind(' ');
    if (!keys || space == std::string_view::npos) return;
    const auto hex = text.substr(space + 1);
    if (hex.size() % 2 != 0 || hex.size() > 2 * 48) return;
    std::vector<unsigned char> secret(hex.size() / 2);
    for (std::size_t i = 0; i < secret.size(); ++i) {
        const int high = hex_value(hex[2 * i]);
        const int low = hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0) return;
        secret[i] = static_cast<unsigned char>(high * 16 + low);
    }
    keys->secret = std::move(secret);
}

// Counts the records the server writes, from zero wherever its write keys change: after its
// ChangeCipherSpec (TLS 1.2), its Finished and each KeyUpdate (TLS 1.3). OpenSSL reports a
// record's header as it builds it, and a handshake message once written, so the record that
// carries the change is counted under the old keys, as it is sealed.
void on_message(int write_p, int /*version*/, int content_type, const void* buf, std::size_t len, SSL* ssl, void* arg) {
    auto* keys = static_cast<write_keys*>(arg);
    if (!write_p || !keys) return;
    if (content_type == SSL3_RT_HEADER) {
        ++keys->records;
    } else if (content_type == SSL3_RT_CHANGE_CIPHER_SPEC) {
        keys->records = 0;  // TLS 1.3's compatibility CCS too: its Finished resets again
    } else if (content_type == SSL3_RT_HANDSHAKE && len > 0 && SSL_version(ssl) == TLS1_3_VERSION) {
        const auto type = static_cast<const unsigned char*>(buf)[0];
        if (type == SSL3_MT_FINISHED) keys->records = 0;
        if (type == SSL3_MT_KEY_UPDATE) {
            keys->records = 0;
            // RFC 8446 §7.2, at the update itself: a client asking for thousands costs one each.
            const SSL_CIPHER* suite = SSL_get_current_cipher(ssl);
            if (!keys->secret.empty() && suite)
                keys->secret = expand_label(SSL_CIPHER_get_handshake_digest(suite), keys->secret, "traffic upd",
                                            keys->secret.size());
        }
    }
}

}  // namespace

void follow_write_keys(SSL_CTX* context, bool traffic_secrets) {
    if (traffic_secrets) SSL_CTX_set_keylog_callback(context, on_key_log_line);
    SSL_CTX_set_msg_callback(context, on_message);
}

bool attach_write_keys(SSL* ssl, write_keys* keys) noexcept {
    SSL_set_msg_callback_arg(ssl, keys);
    return SSL_set_app_data(ssl, keys) == 1;
}

}  // namespace teapot::detail::tls

#pragma once
// An alert record sealed by teapot under the server's current write keys, for the
// tls-alert fault: OpenSSL 3 exports no way to send one after the handshake
// (ssl3_send_alert is internal). The record is the server's next: written, it puts
// OpenSSL's sequence number one behind, so the connection ends right after it.

#include "tls/write_keys.hpp"

#include <string>

namespace teapot::detail::tls {

/// The alert `description` (fatal; warning for close_notify and user_canceled) as the next
/// record of `ssl`, sealed with its AEAD (AES-GCM or ChaCha20-Poly1305, TLS 1.2 or 1.3);
/// empty when the keys are unknown or the cipher is another (the router refuses those
/// requests first, with the reason: faults/fault_fit).
std::string sealed_alert(SSL* ssl, const write_keys& keys, unsigned char description);

}  // namespace teapot::detail::tls

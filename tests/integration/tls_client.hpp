#pragma once
// A small blocking HTTPS client for tests: OpenSSL over a real socket to
// 127.0.0.1, the server's certificate verified against the CA the test trusts,
// every read bounded by a deadline, responses parsed by Beast (client.hpp).

#include "client.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_session_st SSL_SESSION;

namespace teapot::test {

/// What a TLS client asks for; the defaults are a browser's.
struct tls_client_options {
    std::string ca_pem{};                       ///< trusted; empty: verify nothing
    std::string server_name = "localhost";      ///< SNI and the name checked (an IP address is checked as one)
    std::vector<std::string> alpn{"http/1.1"};  ///< offered in order; empty: no ALPN
    int min_version = 0;                        ///< e.g. TLS1_2_VERSION; 0: OpenSSL's default
    int max_version = 0;
    SSL_SESSION* resume = nullptr;  ///< a session of an earlier connection to resume
    std::string client_pem{};       ///< a client certificate and its key (PEM), for mutual TLS
    bool legacy = false;            ///< OpenSSL security level 0: TLS 1.0 and 1.1, weak keys
    std::string ciphers{};          ///< the one suite offered (TLS_AES_256_GCM_SHA384, ECDHE-ECDSA-...); empty: all
    std::chrono::milliseconds timeout{5000};
};

class tls_connection {
public:
    /// Connects and completes the handshake; throws std::runtime_error with OpenSSL's
    /// reason (and the verify result) when it fails.
    tls_connection(std::uint16_t port, tls_client_options options);
    ~tls_connection();
    tls_connection(const tls_connection&) = delete;
    tls_connection& operator=(const tls_connection&) = delete;

    void send(std::string_view bytes);
    response read_response(bool head_request = false);

    /// How the server ended the connection: its close_notify, a FIN without one (OpenSSL 3's
    /// "unexpected eof"), an RST, or a TLS error (a garbled record, an alert).
    enum class ending { close_notify, fin_without_close_notify, reset, tls_error, still_open };
    struct received {
        std::string bytes;  ///< everything decrypted before the end
        ending how = ending::still_open;
        std::string error;  ///< OpenSSL's reason for tls_error
    };
    received read_to_end(std::chrono::milliseconds within);

    std::string version() const;  ///< "TLSv1.3"
    std::string cipher() const;
    std::string alpn() const;  ///< "" when none was selected
    bool resumed() const;
    /// How many handshake messages of `type` (SSL3_MT_KEY_UPDATE, SSL3_MT_HELLO_REQUEST...)
    /// the server sent, the first handshake's included.
    std::size_t handshake_messages_received(int type) const;
    /// A TLS 1.3 KeyUpdate asking for the server's (update_requested), sent with the next bytes.
    void update_keys();
    /// The session, for a later connection's `resume` (owned by the caller: SSL_SESSION_free).
    SSL_SESSION* session() const;
    /// The raw bytes until the server's FIN or RST, read past OpenSSL (the TLS state is spent
    /// afterwards): for a client that never acts on what the server sent. False at `within`.
    bool raw_end_within(std::chrono::milliseconds within);

private:
    bool fill();
    int fd_ = -1;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
    std::chrono::milliseconds timeout_;
    std::string pending_;
    std::vector<int> handshake_types_;
};

/// One request on a fresh TLS connection (the CA given, SNI localhost).
response fetch_tls(std::uint16_t port, const std::string& ca_pem, std::string_view target,
                   std::string_view extra_headers = {});

/// The names a handshake failed with, for assertions: the text of the exception it threw.
std::string handshake_failure(std::uint16_t port, tls_client_options options);

}  // namespace teapot::test

#include "tls_client.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>

namespace teapot::test {
namespace {

std::string openssl_reason() {
    std::string text;
    while (auto code = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        text.append(text.empty() ? "" : "; ").append(buf);
    }
    return text.empty() ? std::string{"no OpenSSL reason"} : text;
}

void trust(SSL_CTX* ctx, const std::string& pem) {
    BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
    auto* store = SSL_CTX_get_cert_store(ctx);
    while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
        X509_STORE_add_cert(store, cert);
        X509_free(cert);
    }
    ERR_clear_error();  // the end of the PEM text reads as an error
    BIO_free(bio);
}

int connect_loopback(std::uint16_t port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket: " + std::string{std::strerror(errno)});
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("connect: " + std::string{std::strerror(errno)});
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

void set_timeouts(int fd, std::chrono::milliseconds timeout) {
    timeval tv{static_cast<time_t>(timeout.count() / 1000), static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

tls_connection::tls_connection(std::uint16_t port, tls_client_options options) : timeout_(options.timeout) {
    // OpenSSL writes with write(2): a server that closed first must not kill the test with SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (options.min_version) SSL_CTX_set_min_proto_version(ctx_, options.min_version);
    if (options.max_version) SSL_CTX_set_max_proto_version(ctx_, options.max_version);
    if (options.legacy) {
        SSL_CTX_set_security_level(ctx_, 0);
        SSL_CTX_set_cipher_list(ctx_, "DEFAULT:@SECLEVEL=0");
    }
    if (options.ciphers.starts_with("TLS_"))
        SSL_CTX_set_ciphersuites(ctx_, options.ciphers.c_str());  // TLS 1.3's names
    else if (!options.ciphers.empty())
        SSL_CTX_set_cipher_list(ctx_, options.ciphers.c_str());
    if (!options.ca_pem.empty()) {
        trust(ctx_, options.ca_pem);
        SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    }
    if (!options.client_pem.empty()) {
        BIO* bio = BIO_new_mem_buf(options.client_pem.data(), static_cast<int>(options.client_pem.size()));
        X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
        EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
        if (!cert || !key || SSL_CTX_use_certificate(ctx_, cert) != 1 || SSL_CTX_use_PrivateKey(ctx_, key) != 1)
            throw std::runtime_error("the client certificate does not load: " + openssl_reason());
        X509_free(cert);
        EVP_PKEY_free(key);
        BIO_free(bio);
    }
    ssl_ = SSL_new(ctx_);
    fd_ = connect_loopback(port);
    set_timeouts(fd_, timeout_);
    SSL_set_fd(ssl_, fd_);
    unsigned char ip[16];
    const bool is_ip = inet_pton(AF_INET, options.server_name.c_str(), ip) == 1 ||
                       inet_pton(AF_INET6, options.server_name.c_str(), ip) == 1;
    if (!is_ip) SSL_set_tlsext_host_name(ssl_, options.server_name.c_str());  // RFC 6066 §3: no SNI for addresses
    if (!options.ca_pem.empty()) {
        auto* param = SSL_get0_param(ssl_);
        if (is_ip)
            X509_VERIFY_PARAM_set1_ip_asc(param, options.server_name.c_str());
        else
            X509_VERIFY_PARAM_set1_host(param, options.server_name.c_str(), 0);
    }
    if (!options.alpn.empty()) {
        std::string wire;
        for (const auto& p : options.alpn) wire.append(1, static_cast<char>(p.size())).append(p);
        SSL_set_alpn_protos(ssl_, reinterpret_cast<const unsigned char*>(wire.data()),
                            static_cast<unsigned>(wire.size()));
    }
    if (options.resume) SSL_set_session(ssl_, options.resume);
    // Every handshake message received, by type, for the faults that send them after the handshake.
    SSL_set_msg_callback(
        ssl_, [](int write_p, int, int content_type, const void* buf, std::size_t len, SSL*, void* self) {
            if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0)
                static_cast<tls_connection*>(self)->handshake_types_.push_back(*static_cast<const unsigned char*>(buf));
        });
    SSL_set_msg_callback_arg(ssl_, this);
    if (const int done = SSL_connect(ssl_); done != 1) {
        const int saved_errno = errno;
        auto reason = openssl_reason();
        // No OpenSSL reason for what the socket did: a reset, a timeout (SO_RCVTIMEO), a close.
        const int error = SSL_get_error(ssl_, done);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE)  // SO_RCVTIMEO's EAGAIN
            reason += " (timed out)";
        else if (error == SSL_ERROR_SYSCALL)
            reason += saved_errno ? " (" + std::string{std::strerror(saved_errno)} + ")" : " (end of stream)";
        const auto verify = SSL_get_verify_result(ssl_);
        if (verify != X509_V_OK) reason += " (verify: " + std::string{X509_verify_cert_error_string(verify)} + ")";
        SSL_free(ssl_);
        SSL_CTX_free(ctx_);
        ::close(fd_);
        throw std::runtime_error("TLS handshake failed: " + reason);
    }
}

std::size_t tls_connection::handshake_messages_received(int type) const {
    return static_cast<std::size_t>(std::count(handshake_types_.begin(), handshake_types_.end(), type));
}

tls_connection::~tls_connection() {
    // A session ended without close_notify is not resumable (OpenSSL drops it): end it properly.
    SSL_shutdown(ssl_);
    ERR_clear_error();
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    if (fd_ >= 0) ::close(fd_);
}

void tls_connection::send(std::string_view bytes) {
    while (!bytes.empty()) {
        const int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
        if (n <= 0) throw std::runtime_error("TLS write failed: " + openssl_reason());
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

bool tls_connection::fill() {
    char buf[16384];
    const int n = SSL_read(ssl_, buf, sizeof buf);
    if (n > 0) {
        pending_.append(buf, static_cast<std::size_t>(n));
        return true;
    }
    if (SSL_get_error(ssl_, n) == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK))
        throw std::runtime_error("timed out waiting for the server");
    ERR_clear_error();
    return false;
}

response tls_connection::read_response(bool head_request) {
    return read_response_from(
        pending_, [this] { return fill(); }, head_request);
}

tls_connection::received tls_connection::read_to_end(std::chrono::milliseconds within) {
    received out;
    out.bytes = std::exchange(pending_, {});
    const auto deadline = std::chrono::steady_clock::now() + within;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return out;
        set_timeouts(fd_, left);
        char buf[16384];
        errno = 0;
        const int n = SSL_read(ssl_, buf, sizeof buf);
        if (n > 0) {
            out.bytes.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        const int error = SSL_get_error(ssl_, n);
        const auto code = ERR_peek_error();
        if (error == SSL_ERROR_ZERO_RETURN) {
            out.how = ending::close_notify;
        } else if (error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return out;  // the deadline passed: still open
        } else if (error == SSL_ERROR_SYSCALL && errno == ECONNRESET) {
            out.how = ending::reset;
        } else if (error == SSL_ERROR_SSL && ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
            out.how = ending::fin_without_close_notify;
        } else {
            out.how = ending::tls_error;
            out.error = openssl_reason();
        }
        ERR_clear_error();
        set_timeouts(fd_, timeout_);
        return out;
    }
}

std::string tls_connection::version() const { return SSL_get_version(ssl_); }

void tls_connection::update_keys() {
    if (SSL_key_update(ssl_, SSL_KEY_UPDATE_REQUESTED) != 1)
        throw std::runtime_error("SSL_key_update failed: " + openssl_reason());
}

bool tls_connection::raw_end_within(std::chrono::milliseconds within) {
    const auto until = std::chrono::steady_clock::now() + within;
    char sink[4096];
    while (std::chrono::steady_clock::now() < until) {
        const auto n = ::recv(fd_, sink, sizeof sink, 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET)) return true;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return true;
    }
    return false;
}

std::string tls_connection::cipher() const { return SSL_get_cipher_name(ssl_); }

std::string tls_connection::alpn() const {
    const unsigned char* data = nullptr;
    unsigned length = 0;
    SSL_get0_alpn_selected(ssl_, &data, &length);
    return data ? std::string{reinterpret_cast<const char*>(data), length} : std::string{};
}

bool tls_connection::resumed() const { return SSL_session_reused(ssl_) == 1; }

SSL_SESSION* tls_connection::session() const { return SSL_get1_session(ssl_); }

response fetch_tls(std::uint16_t port, const std::string& ca_pem, std::string_view target,
                   std::string_view extra_headers) {
    tls_connection c{port, {.ca_pem = ca_pem}};
    c.send("GET " + std::string{target} + " HTTP/1.1\r\nHost: localhost\r\n" + std::string{extra_headers} +
           "Connection: close\r\n\r\n");
    return c.read_response();
}

std::string handshake_failure(std::uint16_t port, tls_client_options options) {
    try {
        tls_connection c{port, std::move(options)};
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return {};
}

}  // namespace teapot::test

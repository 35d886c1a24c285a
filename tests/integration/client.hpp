#pragma once
// A small blocking HTTP client for tests: raw bytes over a real socket, every
// read bounded by a deadline, responses parsed by Beast's parser (never by
// hand). One server per test case, on 127.0.0.1:0.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace teapot::test {

using namespace std::chrono_literals;

struct response {
    unsigned version = 0;
    int status = 0;
    std::string reason;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    std::string header(std::string_view name) const;  ///< first value, "" when absent
    bool has(std::string_view name) const;
    std::size_t count(std::string_view name) const;
};

class connection {
public:
    explicit connection(std::uint16_t port, std::chrono::milliseconds timeout = 5s);
    ~connection();
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    void send(std::string_view bytes);
    /// Reads one response; `head_request` for a response to HEAD (no body).
    /// Throws on timeout or when the connection ends before a whole message.
    response read_response(bool head_request = false);
    /// Every byte until the peer closes (or the deadline passes).
    std::string read_until_close();
    /// True when the peer closed (FIN or RST) within the deadline without sending anything.
    bool closed_without_data();
    /// True when the peer closed the connection (after whatever it sent).
    bool peer_closed();
    /// Half-close our side (shutdown SHUT_WR).
    void shutdown_send();

    /// How a connection ended, as the socket API tells: FIN (recv returns 0),
    /// RST (ECONNRESET), or not at all within the deadline.
    enum class ending { fin, reset, still_open };
    struct received {
        std::string bytes;  ///< everything read, whatever came before the end
        ending how = ending::still_open;
    };
    /// Reads until the peer ends the connection or `within` passes.
    received read_to_end(std::chrono::milliseconds within);

    int fd() const noexcept { return fd_; }

private:
    /// Reads more bytes into pending_; false on EOF/reset, throws on timeout.
    bool fill();
    int fd_ = -1;
    std::chrono::milliseconds timeout_;
    std::string pending_;
};

/// Parses the whole response at the front of `raw` (bytes already read) with
/// Beast's parser and removes its bytes; throws when `raw` holds no whole response.
response take_response(std::string& raw, bool head_request = false);

/// Reads one response from `pending` (bytes read already), calling `fill` for more: it appends
/// to `pending` and returns false once the peer has closed. For any transport (TLS: tls_client.hpp).
response read_response_from(std::string& pending, const std::function<bool()>& fill, bool head_request);

/// "Host: 127.0.0.1:PORT" CRLF, as a client pointed at the test server sends it.
std::string host_line(std::uint16_t port);

/// One request on a fresh connection: GET (or `method`) target with extra header lines.
response fetch(std::uint16_t port, std::string_view target, std::string_view extra_headers = {},
               std::string_view method = "GET");

/// One request with content (POST, PUT...) on a fresh connection.
response send_body(std::uint16_t port, std::string_view method, std::string_view target, std::string_view body,
                   std::string_view extra_headers = {});

}  // namespace teapot::test

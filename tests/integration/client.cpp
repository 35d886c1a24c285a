#include "client.hpp"

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace teapot::test {
namespace http = boost::beast::http;

std::string response::header(std::string_view name) const {
    for (const auto& [n, v] : headers)
        if (n.size() == name.size() && strncasecmp(n.data(), name.data(), n.size()) == 0) return v;
    return {};
}

bool response::has(std::string_view name) const { return count(name) > 0; }

std::size_t response::count(std::string_view name) const {
    std::size_t c = 0;
    for (const auto& h : headers)
        if (h.first.size() == name.size() && strncasecmp(h.first.data(), name.data(), name.size()) == 0) ++c;
    return c;
}

connection::connection(std::uint16_t port, std::chrono::milliseconds timeout) : timeout_(timeout) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket: " + std::string{std::strerror(errno)});
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd_);
        throw std::runtime_error("connect: " + std::string{std::strerror(errno)});
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

connection::~connection() {
    if (fd_ >= 0) ::close(fd_);
}

void connection::send(std::string_view bytes) {
    while (!bytes.empty()) {
        auto n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0) throw std::runtime_error("send: " + std::string{std::strerror(errno)});
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

void connection::shutdown_send() { ::shutdown(fd_, SHUT_WR); }

bool connection::fill() {
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(timeout_.count()));
    if (ready == 0) throw std::runtime_error("timed out waiting for the server");
    char buf[16384];
    auto n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;  // EOF or reset
    pending_.append(buf, static_cast<std::size_t>(n));
    return true;
}

namespace {

response to_response(const http::response_parser<http::string_body>& parser) {
    const auto& m = parser.get();
    response r;
    r.version = m.version();
    r.status = static_cast<int>(m.result_int());
    r.reason = std::string{m.reason()};
    for (const auto& f : m) r.headers.emplace_back(std::string{f.name_string()}, std::string{f.value()});
    r.body = m.body();
    return r;
}

void prepare(http::response_parser<http::string_body>& parser, bool head_request) {
    parser.eager(true);
    parser.body_limit(64 * 1024 * 1024);
    parser.skip(head_request);
}

}  // namespace

response take_response(std::string& raw, bool head_request) {
    http::response_parser<http::string_body> parser;
    prepare(parser, head_request);
    while (!parser.is_done()) {
        boost::beast::error_code ec;
        auto used = parser.put(boost::asio::buffer(raw.data(), raw.size()), ec);
        raw.erase(0, used);
        if (ec == http::error::need_more && used > 0) continue;
        // Nothing taken and no error is no progress either: the parser, past the head, got an
        // empty buffer (a head read without its body yet). Looping would spin forever.
        if (ec == http::error::need_more || (!ec && used == 0)) {
            // No more bytes will come: only a body delimited by the close may end here.
            parser.put_eof(ec);
            if (ec) throw std::runtime_error("incomplete response: " + ec.message());
            break;
        }
        if (ec) throw std::runtime_error("bad response: " + ec.message());
    }
    return to_response(parser);
}

response read_response_from(std::string& pending, const std::function<bool()>& fill, bool head_request) {
    http::response_parser<http::string_body> parser;
    prepare(parser, head_request);
    bool open = true;
    while (!parser.is_done()) {
        boost::beast::error_code ec;
        std::size_t used = 0;
        if (!pending.empty()) used = parser.put(boost::asio::buffer(pending.data(), pending.size()), ec);
        pending.erase(0, used);
        if (ec && ec != http::error::need_more) throw std::runtime_error("bad response: " + ec.message());
        if (parser.is_done()) break;
        if (!open) {
            parser.put_eof(ec);
            if (ec) throw std::runtime_error("connection closed mid-response: " + ec.message());
            break;
        }
        if (!ec && used > 0) continue;
        open = fill();
    }
    return to_response(parser);
}

response connection::read_response(bool head_request) {
    return read_response_from(
        pending_, [this] { return fill(); }, head_request);
}

connection::received connection::read_to_end(std::chrono::milliseconds within) {
    received out;
    out.bytes = std::move(pending_);
    pending_.clear();
    auto deadline = std::chrono::steady_clock::now() + within;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return out;
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) == 0) return out;
        char buf[16384];
        auto n = ::recv(fd_, buf, sizeof buf, 0);
        if (n > 0) {
            out.bytes.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0) {
            out.how = ending::fin;
            return out;
        } else if (errno == ECONNRESET) {
            out.how = ending::reset;
            return out;
        } else if (errno != EINTR && errno != EAGAIN) {
            out.how = ending::reset;
            return out;
        }
    }
}

std::string connection::read_until_close() {
    try {
        while (fill()) {
        }
    } catch (const std::runtime_error&) {
        // deadline: return what came
    }
    return std::exchange(pending_, {});
}

bool connection::closed_without_data() {
    bool more = fill();
    return !more && pending_.empty();
}

bool connection::peer_closed() {
    try {
        while (fill()) {
        }
        return true;
    } catch (const std::runtime_error&) {
        return false;
    }
}

// The Host a client sends when it is pointed at http://127.0.0.1:PORT (the admin API
// answers a loopback Host only).
std::string host_line(std::uint16_t port) { return "Host: 127.0.0.1:" + std::to_string(port) + "\r\n"; }

response fetch(std::uint16_t port, std::string_view target, std::string_view extra_headers, std::string_view method) {
    connection c{port};
    c.send(std::string{method} + " " + std::string{target} + " HTTP/1.1\r\n" + host_line(port) +
           std::string{extra_headers} + "\r\n");
    return c.read_response(method == "HEAD");
}

response send_body(std::uint16_t port, std::string_view method, std::string_view target, std::string_view body,
                   std::string_view extra_headers) {
    connection c{port};
    c.send(std::string{method} + " " + std::string{target} + " HTTP/1.1\r\n" + host_line(port) +
           std::string{extra_headers} + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
           std::string{body});
    return c.read_response();
}

}  // namespace teapot::test

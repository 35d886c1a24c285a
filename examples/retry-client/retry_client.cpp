#include "retry_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <string>
#include <thread>

namespace example {

namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

reply get_with_retries(const std::string& host, unsigned short port, const std::string& target,
                       const std::string& test_id, int max_attempts) {
    boost::asio::io_context io;
    tcp::resolver resolver{io};
    const auto endpoints = resolver.resolve(host, std::to_string(port));
    reply out;
    for (out.attempts = 1;; ++out.attempts) {
        tcp::socket socket{io};
        boost::asio::connect(socket, endpoints);
        http::request<http::empty_body> req{http::verb::get, target, 11};
        req.set(http::field::host, host);
        req.set("X-Test-Id", test_id);
        http::write(socket, req);
        boost::beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(socket, buffer, res);
        out.status = res.result_int();
        out.body = res.body();
        const bool retryable = out.status == 503 || out.status == 429;
        if (!retryable || out.attempts >= max_attempts) return out;
        // The client's own wait (not teapot's): what Retry-After advises, 1 s without it.
        int seconds = 1;
        if (auto advised = res[http::field::retry_after]; !advised.empty()) seconds = std::stoi(std::string{advised});
        std::this_thread::sleep_for(std::chrono::seconds{seconds});
    }
}

}  // namespace example

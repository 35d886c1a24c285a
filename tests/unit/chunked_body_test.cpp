// HTTP/1.1's chunked coding of a response body and its trailers (RFC 9112 §7.1).

#include <catch2/catch.hpp>

#include "wire/chunked_body.hpp"

using teapot::detail::chunked_body;
using teapot::detail::header_field;

TEST_CASE("chunked_body: one chunk in hex, the last chunk, the trailers, the empty line", "[chunked_body]") {
    CHECK(chunked_body("hello", {}) == "5\r\nhello\r\n0\r\n\r\n");
    CHECK(chunked_body(std::string(300, 'a'), {}) == "12c\r\n" + std::string(300, 'a') + "\r\n0\r\n\r\n");
    CHECK(chunked_body("", {{"X-Sum", "1"}}) == "0\r\nX-Sum: 1\r\n\r\n");  // no empty chunk: it would end the body
    CHECK(chunked_body("{}", {{"A", "1"}, {"B", "two words"}}) == "2\r\n{}\r\n0\r\nA: 1\r\nB: two words\r\n\r\n");
}

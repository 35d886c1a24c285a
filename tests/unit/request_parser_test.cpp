// request_parser::feed: a chunked body parsed the same however the client splits it,
// with each received byte handed to Beast a bounded number of times.
#include "wire/request_parser.hpp"

#include <boost/beast/http/error.hpp>
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

using teapot::detail::request_parser;
namespace http = boost::beast::http;

namespace {

const std::string head = "POST /p HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";

struct outcome {
    boost::beast::error_code ec;  ///< the parse error, need_more if the request is not whole
    std::string body;
    request_parser::field_list trailers;
    std::size_t offered = 0;
};

// Feeds `wire` in pieces of `piece` bytes, as a connection reads: the unparsed bytes
// kept in a buffer, the parser given them until it needs more.
outcome parse_in_pieces(std::string_view wire, std::size_t piece) {
    request_parser parser;
    parser.eager(true);
    parser.field_limit(100'000);
    parser.trailer_limit(64 * 1024);
    std::string buffered;
    boost::beast::error_code ec = http::error::need_more;
    for (std::size_t sent = 0; sent < wire.size() && ec == http::error::need_more;) {
        const auto n = std::min(piece, wire.size() - sent);
        buffered.append(wire.substr(sent, n));
        sent += n;
        ec = {};
        while (!buffered.empty() && !parser.is_done()) {
            const auto used = parser.feed(buffered, ec);
            buffered.erase(0, used);
            if (ec || used == 0) break;
        }
        if (!ec && !parser.is_done()) ec = http::error::need_more;
    }
    return {ec, parser.get().body(), parser.trailers(), parser.bytes_offered()};
}

}  // namespace

TEST_CASE("feed parses a chunked body the same whole and a byte at a time", "[request_parser]") {
    const auto body = GENERATE(as<std::string>{},
                               "3;ext=1\r\nabc\r\n0\r\n\r\n",                                 // one chunk, an extension
                               "1\r\na\r\n2\r\nbc\r\n000;e=\"q\"\r\nX-T: 1\r\nY: 2\r\n\r\n",  // trailers
                               "0\r\n\r\n",                                                   // empty
                               "0x\r\n\r\n",                         // Beast: size 0, then a bad extension
                               "5\rX\r\nhello\r\n0\r\n\r\n",         // a bare CR in a chunk line
                               "2\r\nab\r\n0\r\nbad field\r\n\r\n",  // a malformed trailer
                               "2\r\nabc\r\n0\r\n\r\n");             // data longer than its size
    const auto wire = head + body;
    const auto whole = parse_in_pieces(wire, wire.size());
    const auto split = parse_in_pieces(wire, 1);
    CAPTURE(body, whole.ec.message(), split.ec.message());
    CHECK(split.ec == whole.ec);
    CHECK(split.body == whole.body);
    CHECK(split.trailers == whole.trailers);
}

TEST_CASE("feed hands each byte of a long last chunk to Beast a bounded number of times", "[request_parser]") {
    // Beast 1.81 rescans a last-chunk line on every put until the trailer section ends:
    // 16 KiB of zeros and 16 KiB of trailer, a byte a read, make 16 Ki rescans of the line (2^28 bytes, computed).
    std::string trailer;
    while (trailer.size() < 16 * 1024) trailer += "X-T: 0123456789\r\n";
    const auto wire = head + "1\r\na\r\n" + std::string(16 * 1024, '0') + ";e\r\n" + trailer + "\r\n";
    const auto split = parse_in_pieces(wire, 1);
    REQUIRE_FALSE(split.ec);
    CHECK(split.body == "a");
    CHECK(split.trailers.size() == trailer.size() / 17);
    CHECK(split.offered <= 2 * wire.size());
}

TEST_CASE("feed hands each byte of a long chunk line to Beast a bounded number of times", "[request_parser]") {
    // A line of zeros that never ends is not the last chunk until its CRLF comes.
    const auto wire = head + std::string(16 * 1024, '0') + "1\r\nb\r\n0\r\n\r\n";
    const auto split = parse_in_pieces(wire, 1);
    REQUIRE_FALSE(split.ec);
    CHECK(split.body == "b");
    CHECK(split.offered <= 2 * wire.size());
}

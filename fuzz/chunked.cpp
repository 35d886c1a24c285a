// libFuzzer target: a chunked request body (chunk sizes, extensions, data, the last
// chunk, trailer fields) read as a connection reads it, through a bounded read
// buffer in pieces, by the server's request parser and checks (docs/fuzzing.md).
//
// Input: a limits byte, a read-size byte, then the body. In the body, 0xFF followed
// by a byte n repeats the byte before it n * 256 times (n = 0: 65 536 times), so
// that a field or an extension of 64 KiB and more, where Beast once threw and ended
// the process, is a few bytes of input, within libFuzzer's -max_len.

#include "fuzz_check.hpp"
#include "wire/request_checks.hpp"
#include "wire/request_parser.hpp"

#include <teapot/options.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

using namespace teapot::detail;
namespace http = boost::beast::http;

namespace {

constexpr std::string_view head = "POST /status/200 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
constexpr std::size_t head_fields = 2;
constexpr std::size_t max_expanded = 4 * 1024 * 1024;

std::string expand(std::string_view in) {
    std::string out;
    for (std::size_t i = 0; i < in.size() && out.size() < max_expanded; ++i) {
        const auto c = static_cast<unsigned char>(in[i]);
        if (c == 0xFF && i + 1 < in.size() && !out.empty()) {
            const auto n = static_cast<unsigned char>(in[++i]);
            const std::size_t times = n == 0 ? 65'536 : std::size_t{n} * 256;
            out.append(std::min(times, max_expanded - out.size()), out.back());
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    return out;
}

// The statuses the server may answer a chunked request with before routing it.
bool is_refusal(int status) { return status == 400 || status == 413 || status == 431 || status == 501; }

void check_rejection(const std::optional<request_rejection>& r) {
    if (!r) return;  // the client went quiet: no answer is owed
    teapot::fuzz::check(is_refusal(r->status), "an unexpected status for a chunked body", std::to_string(r->status));
    teapot::fuzz::check(!r->message.empty(), "a refusal without a reason");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    static constexpr std::array<std::size_t, 4> header_limits{1024, 16 * 1024, 64 * 1024 - 1, 64 * 1024};
    teapot::limits limits;
    limits.max_header_bytes = header_limits[data[0] % header_limits.size()];
    limits.max_body_bytes = data[0] & 0x80 ? 1024 : 1024 * 1024;
    const std::size_t read_size = std::size_t{data[1]} * 64 + 1;  // 1 to 16 321 bytes a read
    const std::string wire = std::string{head} + expand({reinterpret_cast<const char*>(data) + 2, size - 2});

    // As the connection reads (connection::read_body): a bounded buffer, the parser fed what
    // it holds through request_parser::feed, reads in pieces.
    boost::beast::flat_buffer buffer{read_buffer_limit(limits)};
    std::size_t sent = 0;
    request_parser parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.trailer_limit(limits.max_header_bytes);
    parser.body_limit(limits.max_body_bytes);
    bool checked_head = false;
    for (;;) {
        boost::beast::error_code ec;
        auto buffered = [&] { return std::string_view{static_cast<const char*>(buffer.data().data()), buffer.size()}; };
        while (buffer.size() > 0 && !parser.is_done()) {
            const auto used = parser.feed(buffered(), ec);
            buffer.consume(used);
            if (ec == http::error::need_more) {
                ec = {};
                break;
            }
            if (ec || used == 0) break;
        }
        if (ec) {
            check_rejection(rejection_for_read_error(ec, parser, buffered(), limits));
            return 0;
        }
        if (parser.is_header_done() && !checked_head) {
            checked_head = true;
            teapot::fuzz::check(!rejection_for_head(parser, limits), "the fixed head was refused");
            parser.eager(true);
            continue;
        }
        if (parser.is_done()) break;
        if (sent == wire.size()) return 0;  // the client went quiet mid-body
        if (buffer.size() == buffer.max_size()) {
            // Beast's read reports a full buffer so: a chunk line or a trailer section too long.
            check_rejection(rejection_for_read_error(http::error::buffer_overflow, parser, buffered(), limits));
            return 0;
        }
        const auto n = std::min({read_size, wire.size() - sent, buffer.max_size() - buffer.size()});
        auto room = buffer.prepare(n);
        std::copy_n(wire.data() + sent, n, static_cast<char*>(room.data()));
        buffer.commit(n);
        sent += n;
    }
    // A whole request: trailers apart from the head's fields, each part within its limit.
    const auto& msg = parser.get();
    teapot::fuzz::check(static_cast<std::size_t>(std::distance(msg.begin(), msg.end())) == head_fields,
                        "trailer fields were merged into the header fields");
    std::size_t trailer_bytes = 0;
    for (const auto& [name, value] : parser.trailers()) trailer_bytes += name.size() + value.size() + 4;
    teapot::fuzz::check(trailer_bytes <= limits.max_header_bytes, "the trailer section passed its limit",
                        std::to_string(trailer_bytes));
    teapot::fuzz::check(msg.body().size() <= limits.max_body_bytes, "the body passed its limit",
                        std::to_string(msg.body().size()));
    return 0;
}

#include "wire/request_checks.hpp"

#include "plan/request.hpp"
#include "util/host_field.hpp"
#include "wire/byte_stream.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include <algorithm>

namespace teapot::detail {
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

namespace {

// method SP request-target SP "HTTP/" DIGIT "." DIGIT, the target without spaces: a
// request line that is well-formed but for its version (RFC 9112 §3, §2.3).
bool is_request_line_of_other_version(std::string_view line) {
    auto first = line.find(' ');
    auto last = line.rfind(' ');
    if (first == std::string_view::npos || first == 0 || last == first + 1 || last == first) return false;
    if (line.substr(first + 1, last - first - 1).find(' ') != std::string_view::npos) return false;
    auto v = line.substr(last + 1);
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    return v.size() == 8 && v.starts_with("HTTP/") && digit(v[5]) && v[6] == '.' && digit(v[7]);
}

// The transfer codings of every Transfer-Encoding field, read as RFC 9112 §6.1's list
// of codings with parameters ("x;p=1, chunked"). Beast's own test reads a list of bare
// tokens, so it misses a final chunked behind a coding with parameters.
struct transfer_codings {
    bool final_is_chunked = false;
    bool others = false;  ///< a coding besides chunked ("gzip, chunked")
};

transfer_codings transfer_codings_of(const http::request<http::string_body>& head) {
    transfer_codings found;
    auto [first, last] = head.equal_range(http::field::transfer_encoding);
    for (auto field = first; field != last; ++field) {
        for (const auto& coding : http::ext_list{field->value()}) {
            found.final_is_chunked = iequals(coding.first, "chunked");
            if (!found.final_is_chunked) found.others = true;
        }
    }
    return found;
}

std::string exceeds(std::string_view what, std::size_t limit) {
    return std::string{what} + " exceeds " + std::to_string(limit) + " bytes";
}

// RFC 9112 §3.2: Host = uri-host [ ":" port ], or empty when the target has no authority.
bool is_host_value(std::string_view host) { return host.empty() || parse_host_field(host); }

}  // namespace

std::size_t read_buffer_limit(const limits& limits) noexcept {
    // The slack holds the lines around a trailer section ("\r\n0\r\n") and the start of
    // the next pipelined request; 16 KiB at least, one read of the lingering close.
    return std::max<std::size_t>(limits.max_header_bytes + 4096, 16 * 1024);
}

bool quietly_ended(const beast::error_code& ec) {
    // A TLS error mid-stream ends the connection too: nothing can be answered on it.
    if (ec.category() == net::error::get_ssl_category()) return true;
    return ec == http::error::end_of_stream || ec == http::error::partial_message || is_end_of_stream(ec) ||
           ec == net::error::connection_reset || ec == net::error::operation_aborted || ec == net::error::broken_pipe ||
           ec == beast::error::timeout;
}

std::optional<request_rejection> rejection_for_read_error(const beast::error_code& ec, const request_parser& parser,
                                                          std::string_view buffered, const limits& limits) {
    if (quietly_ended(ec)) return std::nullopt;
    if (ec == http::error::header_limit && parser.field_limit_exceeded())
        return request_rejection{431, "more than " + std::to_string(limits.max_header_fields) + " fields in the " +
                                          (parser.trailer_limit_exceeded() ? "trailer" : "header") +
                                          " section (--max-header-fields)"};
    if (ec == http::error::header_limit && parser.trailer_limit_exceeded())
        return request_rejection{431, exceeds("the trailer section", limits.max_header_bytes)};
    if (ec == http::error::buffer_overflow) {
        // Only a chunked body's lines outgrow the buffer: the header limit stops a header first.
        if (request_parser::at_last_chunk(buffered))
            return request_rejection{431, exceeds("the trailer section", limits.max_header_bytes)};
        return request_rejection{400, exceeds("a chunk line (its size and extensions)", read_buffer_limit(limits))};
    }
    if (ec == http::error::header_limit) {
        // A start line alone past the URI limit is a 414; otherwise the fields are too large.
        // Beast may already have consumed the start line (then the target is parsed), or not.
        auto target_size = parser.get().target().size();
        if (target_size == 0) target_size = std::min(buffered.find('\n'), buffered.size());
        if (target_size > limits.max_target_bytes)
            return request_rejection{414, exceeds("the request target", limits.max_target_bytes)};
        return request_rejection{431, exceeds("the request header section", limits.max_header_bytes)};
    }
    // RFC 9110 §15.6.6: a well-formed version we do not speak (HTTP/2.0 over this port,
    // HTTP/3.1...) is a 505. Beast reports a malformed request line the same way (a space
    // in the target, a bare LF, "http/1.1"): that is a 400 (RFC 9112 §3).
    if (ec == http::error::bad_version) {
        if (is_request_line_of_other_version(buffered.substr(0, buffered.find("\r\n"))))
            return request_rejection{505, "teapot speaks HTTP/1.1 and HTTP/1.0"};
        return request_rejection{400, "malformed request line: expected METHOD SP TARGET SP HTTP/1.1 CRLF"};
    }
    if (ec == http::error::body_limit)
        return request_rejection{413, exceeds("the request content", limits.max_body_bytes)};
    return request_rejection{400, "malformed request: " + ec.message()};
}

std::optional<request_rejection> rejection_for_head(const request_parser& parser, const limits& limits) {
    const auto& head = parser.get();
    if (head.version() != 10 && head.version() != 11)
        return request_rejection{505, "teapot speaks HTTP/1.1 and HTTP/1.0"};
    if (head.target().size() > limits.max_target_bytes)
        return request_rejection{414, exceeds("the request target", limits.max_target_bytes)};
    // One pass over the fields, in the order received: three lookups by name in Beast's
    // tree cost more, for the few fields a request has (docs/design.md, "The hot path").
    std::size_t hosts = 0, transfer_encodings = 0, content_lengths = 0;
    std::optional<std::string_view> expect;  // the first one, as head[field::expect] would
    for (const auto& field : head) {
        switch (field.name()) {
            case http::field::host: ++hosts; break;
            case http::field::transfer_encoding: ++transfer_encodings; break;
            case http::field::content_length: ++content_lengths; break;
            case http::field::expect:
                if (!expect) expect = field.value();
                break;
            default: break;
        }
    }
    // RFC 9112 §3.2: an HTTP/1.1 request without Host, or any request with two, or one
    // whose value is not uri-host [":" port], is a 400.
    if (hosts > 1 || (hosts == 0 && head.version() == 11))
        return request_rejection{400, "a request carries exactly one Host field (HTTP/1.0: at most one)"};
    if (hosts == 1 && !is_host_value(head[http::field::host]))
        return request_rejection{400, "the Host field must be a host with an optional port (RFC 9112 §3.2)"};
    if (transfer_encodings > 0) {
        // RFC 9112 §6.3: a Transfer-Encoding whose final coding is not chunked, or one
        // beside Content-Length, makes the length ambiguous (request smuggling): 400 and close.
        const auto codings = transfer_codings_of(head);
        if (!codings.final_is_chunked || content_lengths > 0)
            return request_rejection{400,
                                     "ambiguous request framing: Transfer-Encoding must end in chunked and cannot "
                                     "appear with Content-Length"};
        // RFC 9112 §6.1: a transfer coding the server does not understand SHOULD be a 501.
        // Beast decodes chunked only; "gzip, chunked" would reach a handler still gzipped.
        if (codings.others) return request_rejection{501, "teapot decodes only the chunked transfer coding"};
        // Chunked more than once ("chunked, chunked"; RFC 9112 §6.1 forbids it): Beast
        // does not take that for chunked, and would read the body as none.
        if (!parser.chunked()) return request_rejection{400, "malformed Transfer-Encoding field"};
    }
    // RFC 9110 §10.1.1: an expectation other than 100-continue MAY be answered 417.
    if (expect && !expect->empty() && !iequals(*expect, "100-continue"))
        return request_rejection{417, "the only expectation teapot meets is 100-continue"};
    return std::nullopt;
}

bool closes_after_answer(const request_parser& parser) { return parser.get().version() == 10 && parser.chunked(); }

}  // namespace teapot::detail

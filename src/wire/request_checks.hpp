#pragma once
// What the server answers itself, before routing, when a request cannot be
// served as sent: a malformed or oversized head, a version it does not speak,
// ambiguous framing, a coding or an expectation it cannot meet. Shared by the
// connection and by the request fuzz target (fuzz/request.cpp), so that the
// fuzzer checks the very rules the server applies.

#include "wire/request_parser.hpp"

#include <teapot/options.hpp>

#include <boost/beast/core/error.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace teapot::detail {

/// An error status and its reason; the connection sends it, then closes (lingering).
struct request_rejection {
    int status;
    std::string message;
};

/// What a connection's read buffer may hold. A header section, a trailer section and a
/// chunk line (size and extensions) must each fit in it whole, so it bounds them too.
std::size_t read_buffer_limit(const limits& limits) noexcept;

/// The peer left, or stopped sending before a whole request (no answer is owed).
bool quietly_ended(const boost::beast::error_code& ec);

/// What a read error means: 400, 413, 414, 431 or 505; none when the peer left.
/// A full read buffer (buffer_overflow) is a chunk line or a trailer section too long.
/// `buffered` is what was read and not yet parsed: the request line, when Beast stopped in it.
std::optional<request_rejection> rejection_for_read_error(const boost::beast::error_code& ec,
                                                          const request_parser& parser, std::string_view buffered,
                                                          const limits& limits);

/// The checks on a whole head: version (505), target length (414), Host (400),
/// framing (400), transfer codings (501), Expect (417).
std::optional<request_rejection> rejection_for_head(const request_parser& parser, const limits& limits);

/// Whether the connection must close once this request is answered, whatever it asks:
/// HTTP/1.0 with Transfer-Encoding (RFC 9112 §6.1: its framing is taken as faulty).
bool closes_after_answer(const request_parser& parser);

}  // namespace teapot::detail

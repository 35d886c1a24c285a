#pragma once
// The HTTP/1 request parser of a connection: Beast's grammar (basic_parser) filling
// a string-body request as beast::http::request_parser does, with two differences
// that a hostile client makes necessary:
// - the trailer section of a chunked request is kept apart from the header fields
//   (RFC 9110 §6.5: a recipient must not merge them) and counted against its own
//   limit, which Beast's parser does not apply to trailers;
// - a field too large for Beast's message (it stores sizes in 16 bits and throws
//   std::length_error past 65 533 bytes) is a header_limit error, never a throw.

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace teapot::detail {

class request_parser : public boost::beast::http::basic_parser<true> {
public:
    using message_type = boost::beast::http::request<boost::beast::http::string_body>;
    using field_list = std::vector<std::pair<std::string, std::string>>;

    /// The largest field name or value a message can hold (Beast's 16-bit sizes).
    static constexpr std::size_t max_field_bytes = 65'533;

    request_parser() = default;

    message_type& get() noexcept { return message_; }
    const message_type& get() const noexcept { return message_; }
    /// Moves the message out (the WebSocket echo takes the upgrade request).
    message_type release() noexcept { return std::move(message_); }

    /// The trailer fields, in the order received (empty unless chunked with trailers).
    const field_list& trailers() const noexcept { return trailers_; }
    /// Bytes the trailer section may hold (each field counted as `name: value` CRLF);
    /// beyond them parsing fails with header_limit.
    void trailer_limit(std::size_t bytes) noexcept { trailer_limit_ = bytes; }
    /// Whether a header_limit error came from the trailer section.
    bool trailer_limit_exceeded() const noexcept { return trailer_limit_exceeded_; }
    /// Fields the header section may hold, and the trailer section apart; beyond them
    /// parsing fails with header_limit.
    void field_limit(std::size_t fields) noexcept { field_limit_ = fields; }
    /// Whether a header_limit error came from the number of fields.
    bool field_limit_exceeded() const noexcept { return field_limit_exceeded_; }

    /// Whether `buffered`, the bytes not yet parsed of a chunked body, starts with a whole
    /// last-chunk line (after the CRLF that ends the previous chunk's data): a chunk size
    /// of zeros, as Beast reads it, then anything up to the CRLF. What follows is the
    /// trailer section.
    static bool at_last_chunk(std::string_view buffered) noexcept;

    /// Parses what it can of `buffered`, the bytes not yet parsed, and returns how many it
    /// used: put(), except that in a chunked body it holds the bytes back (need_more, 0
    /// used) until a line end, or the trailer section's end after a last chunk, lets Beast
    /// progress: Beast 1.81 rescans a last-chunk line on every put() (quadratic for a
    /// client that sends one a byte at a time) and asserted on a short one (docs/fuzzing.md).
    std::size_t feed(std::string_view buffered, boost::beast::error_code& ec);
    /// Bytes handed to put() so far, counted each time they are handed over: linear in
    /// the bytes received, however they are split (tests/unit/request_parser_test.cpp).
    std::size_t bytes_offered() const noexcept { return bytes_offered_; }

private:
    void on_request_impl(boost::beast::http::verb method, boost::beast::string_view method_string,
                         boost::beast::string_view target, int version, boost::beast::error_code& ec) override;
    void on_response_impl(int status, boost::beast::string_view reason, int version,
                          boost::beast::error_code& ec) override;
    void on_field_impl(boost::beast::http::field name, boost::beast::string_view name_string,
                       boost::beast::string_view value, boost::beast::error_code& ec) override;
    void on_header_impl(boost::beast::error_code& ec) override;
    void on_body_init_impl(const boost::optional<std::uint64_t>& content_length, boost::beast::error_code& ec) override;
    std::size_t on_body_impl(boost::beast::string_view body, boost::beast::error_code& ec) override;
    void on_chunk_header_impl(std::uint64_t size, boost::beast::string_view extensions,
                              boost::beast::error_code& ec) override;
    std::size_t on_chunk_body_impl(std::uint64_t remain, boost::beast::string_view body,
                                   boost::beast::error_code& ec) override;
    void on_finish_impl(boost::beast::error_code& ec) override;

    message_type message_;
    field_list trailers_;
    std::size_t trailer_bytes_ = 0;
    std::size_t trailer_limit_ = 16 * 1024;
    bool trailer_limit_exceeded_ = false;
    std::size_t fields_ = 0;  ///< of the section being parsed (header, then trailer)
    std::size_t field_limit_ = 100;
    bool field_limit_exceeded_ = false;
    /// What a chunked body's parse waits for before put() is called again.
    enum class awaiting { nothing, line_end, end_of_trailers };
    awaiting awaiting_ = awaiting::nothing;
    std::size_t scanned_ = 0;  ///< bytes of the unparsed input searched for it already
    std::size_t bytes_offered_ = 0;

    bool can_progress(std::string_view buffered) noexcept;
};

}  // namespace teapot::detail

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
    /// last-chunk line ("0" [ext] CRLF, after the CRLF that ends the previous chunk's
    /// data): what follows is the trailer section.
    static bool at_last_chunk(std::string_view buffered) noexcept;

    /// Whether put() may be given `buffered` now. Beast 1.81 asserts (in builds without
    /// NDEBUG, such as the sanitizer builds) when it resumes a last chunk with fewer than
    /// 5 bytes, as when "0\r\n" and "\r\n" come in two reads (fixed upstream in Beast's
    /// PR #2861, 2024); a whole last chunk is 5 bytes at least, so waiting costs nothing.
    bool ready_for(std::string_view buffered) const noexcept {
        return !is_header_done() || buffered.size() >= 5 || !at_last_chunk(buffered);
    }

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
};

}  // namespace teapot::detail

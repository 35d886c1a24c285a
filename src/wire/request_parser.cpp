#include "wire/request_parser.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>

namespace teapot::detail {
namespace http = boost::beast::http;
using boost::beast::error_code;
using boost::beast::string_view;

bool request_parser::at_last_chunk(std::string_view buffered) noexcept {
    if (buffered.starts_with("\r\n")) buffered.remove_prefix(2);
    // Beast reads the chunk size as the hex digits that lead the line: zeros only is the last chunk.
    const auto digits = std::min(buffered.find_first_not_of("0123456789abcdefABCDEF"), buffered.size());
    const auto size = buffered.substr(0, digits);
    return !size.empty() && size.find_first_not_of('0') == std::string_view::npos &&
           buffered.find("\r\n", digits) != std::string_view::npos;
}

bool request_parser::can_progress(std::string_view buffered) noexcept {
    // Only the bytes that came since the last look are searched (less the terminator's
    // length, which may straddle them); put() is not called meanwhile, so none were used.
    auto found_after = [&](std::string_view terminator) {
        const auto from = scanned_ >= terminator.size() - 1 ? scanned_ - (terminator.size() - 1) : 0;
        return buffered.find(terminator, from) != std::string_view::npos;
    };
    bool found = true;
    if (awaiting_ == awaiting::line_end) found = found_after("\r\n");
    if (awaiting_ == awaiting::end_of_trailers) found = found_after("\r\n\r\n");
    scanned_ = buffered.size();
    return found;
}

std::size_t request_parser::feed(std::string_view buffered, error_code& ec) {
    if (!can_progress(buffered)) {
        ec = http::error::need_more;
        return 0;
    }
    bytes_offered_ += buffered.size();
    const auto used = put(boost::asio::const_buffer{buffered.data(), buffered.size()}, ec);
    awaiting_ = awaiting::nothing;
    if (ec == http::error::need_more && is_header_done() && chunked()) {
        // A chunk line, or the trailer section, is not whole yet (Beast asks for more only there).
        const auto rest = buffered.substr(used);
        awaiting_ = at_last_chunk(rest) ? awaiting::end_of_trailers : awaiting::line_end;
        scanned_ = rest.size();
    }
    return used;
}

void request_parser::on_request_impl(http::verb method, string_view method_string, string_view target, int version,
                                     error_code&) {
    message_.target(target);
    if (method != http::verb::unknown)
        message_.method(method);
    else
        message_.method_string(method_string);
    message_.version(static_cast<unsigned>(version));
}

void request_parser::on_response_impl(int, string_view, int, error_code& ec) {
    ec = http::error::bad_version;  // a request parser: a status line is not a request line
}

void request_parser::on_field_impl(http::field name, string_view name_string, string_view value, error_code& ec) {
    if (++fields_ > field_limit_) {
        field_limit_exceeded_ = true;
        trailer_limit_exceeded_ = is_header_done();
        ec = http::error::header_limit;
        return;
    }
    if (is_header_done()) {
        // The trailer section: counted as on the wire, against its own limit.
        trailer_bytes_ += name_string.size() + value.size() + 4;
        if (trailer_bytes_ > trailer_limit_) {
            trailer_limit_exceeded_ = true;
            ec = http::error::header_limit;
            return;
        }
        trailers_.emplace_back(name_string, value);
        return;
    }
    if (name_string.size() > max_field_bytes || value.size() > max_field_bytes) {
        ec = http::error::header_limit;
        return;
    }
    message_.insert(name, name_string, value);
}

void request_parser::on_header_impl(error_code& ec) {
    fields_ = 0;  // the trailer section counts its own
    ec = {};
}

void request_parser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length, error_code& ec) {
    // The body limit (basic_parser's) has already refused a larger Content-Length.
    if (content_length) {
        if (*content_length > message_.body().max_size()) {
            ec = http::error::buffer_overflow;
            return;
        }
        message_.body().reserve(static_cast<std::size_t>(*content_length));
    }
}

std::size_t request_parser::on_body_impl(string_view body, error_code&) {
    message_.body().append(body.data(), body.size());
    return body.size();
}

void request_parser::on_chunk_header_impl(std::uint64_t, string_view, error_code&) {}

std::size_t request_parser::on_chunk_body_impl(std::uint64_t, string_view body, error_code&) {
    message_.body().append(body.data(), body.size());
    return body.size();
}

void request_parser::on_finish_impl(error_code&) {}

}  // namespace teapot::detail

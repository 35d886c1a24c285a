#pragma once
// JSON as teapot sends it: serialized by Boost.JSON, and always valid UTF-8
// (RFC 8259 §8.1), whatever request bytes its strings quote.

#include <boost/json/value.hpp>

#include <cstddef>
#include <string>

namespace teapot::detail {

/// `value` serialized; the bytes of a string that are not UTF-8 (a path with %FF,
/// a latin-1 header value quoted in an error) become U+FFFD.
std::string json_text(const boost::json::value& value);

/// How many bytes `value` serializes to, counted without keeping the text.
std::size_t json_size(const boost::json::value& value);

}  // namespace teapot::detail

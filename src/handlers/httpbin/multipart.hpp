#pragma once
// multipart/form-data (RFC 7578, RFC 2046 §5.1) as httpbin's Werkzeug 2.2 reads a
// request body: the boundary from Content-Type, each part's headers and content,
// its name and filename from Content-Disposition. Fuzzed through fuzz/httpbin.cpp.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace teapot::detail::httpbin {

struct form_part {
    std::string name;
    std::optional<std::string> filename;  ///< set (perhaps empty) for a file, as Werkzeug tells them apart
    std::string content_type;             ///< the part's Content-Type, "" when it has none
    std::string_view content;             ///< a view into the body
};

/// Most parts read from one body; a body with more is read as no form (Werkzeug's max_form_parts).
inline constexpr std::size_t max_form_parts = 1000;

/// The boundary parameter of a multipart/form-data Content-Type, or nullopt.
std::optional<std::string> form_boundary(std::string_view content_type);

/// The parts of `body`, or nullopt when it is not a multipart body with that boundary (a
/// part without Content-Disposition, no closing delimiter, too many parts): Werkzeug's
/// parser then fails, and httpbin's form and files stay empty.
std::optional<std::vector<form_part>> parse_form_data(std::string_view body, std::string_view boundary);

}  // namespace teapot::detail::httpbin

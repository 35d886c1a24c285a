#pragma once
// The body that explains a status code, in the negotiated format and language:
// plain text (default), JSON, problem+json (RFC 9457) or HTML.

#include "handlers/negotiation.hpp"
#include "plan/response_body.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace teapot::detail {

/// Links some codes carry in their body: 300's choices, 511's login page.
struct body_links {
    std::vector<std::string> choices;
    std::string login;
};

/// The catalogue entry of `code` as JSON: code, name, class, category,
/// description, reference. Codes the catalogue lacks get derived values.
boost::json::object status_json(int code, language lang);

std::string render_status_body(int code, media_type media, language lang, const body_links& links);

/// render_status_body without links, rendered once per thread and kept: the body of a
/// code never changes, and rendering (JSON above all) costs more than sending it.
/// `code` must be within 100..599 (what /status accepts), so the cache stays bounded.
/// Shared, not copied, by the plans that send it.
response_body cached_status_body(int code, media_type media, language lang);

/// Escapes &, <, >, " and ' for HTML text and attributes.
std::string html_escape(std::string_view text);

}  // namespace teapot::detail

#pragma once
// Proactive content negotiation (RFC 9110 §12): which body format and which
// language to send, from Accept and Accept-Language with their q-values.

#include <cstddef>
#include <string_view>

namespace teapot::detail {

enum class media_type { text, json, problem_json, html };
enum class language { en, fr };

/// What `accept` says of `type` ("image/png"): the q of the most specific range that
/// matches it (RFC 9110 §12.5.1), how specific that range is (3 the type itself, 2
/// "image/*", 1 "*/*", 0 none: q is then 0) and its place in the list.
struct accept_weight {
    double q = 0;
    int specificity = 0;
    std::size_t position = 0;
};
accept_weight weight_in_accept(std::string_view accept, std::string_view type);

/// The best format for `accept`; text when nothing acceptable is offered
/// (RFC 9110 §12.5.1 lets a server ignore Accept rather than answer 406,
/// and a client asking for /status/503 wants the 503). problem+json is a
/// candidate only for errors (`problem_allowed`).
media_type negotiate_media(std::string_view accept, bool problem_allowed);

/// English unless French is preferred (RFC 9110 §12.5.4; ranges truncate as in RFC 4647 §3.4).
language negotiate_language(std::string_view accept_language);

std::string_view content_type_of(media_type m) noexcept;

}  // namespace teapot::detail

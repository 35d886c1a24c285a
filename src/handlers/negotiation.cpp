#include "handlers/negotiation.hpp"

#include "plan/request.hpp"
#include "util/field_syntax.hpp"
#include "util/whole_number.hpp"

#include <array>

namespace teapot::detail {
namespace {

// One element of a comma-separated list: the value before ';' and its q (default 1).
struct weighted_range {
    std::string_view range;
    double q = 1.0;
};

weighted_range parse_element(std::string_view element) {
    weighted_range out;
    auto semi = element.find(';');
    out.range = trim_ows(element.substr(0, semi));
    while (semi != std::string_view::npos) {
        element.remove_prefix(semi + 1);
        semi = element.find(';');
        auto param = trim_ows(element.substr(0, semi));
        if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
            const auto q = parse_whole<double>(param.substr(2));
            // A malformed weight makes the element unusable rather than preferred.
            out.q = (q && *q >= 0 && *q <= 1) ? *q : 0;
        }
    }
    return out;
}

template <typename F>
void for_each_element(std::string_view list, F&& f) {
    std::size_t position = 0;
    for_each_list_element(list, [&](std::string_view element) {
        f(parse_element(element), position++);
        return true;
    });
}

struct candidate {
    media_type type;
    std::string_view full;  // "application/json"
};

constexpr std::array<candidate, 4> candidates{{
    {media_type::text, "text/plain"},
    {media_type::json, "application/json"},
    {media_type::problem_json, "application/problem+json"},
    {media_type::html, "text/html"},
}};

// Specificity of `range` for `type`: 3 exact, 2 type/*, 1 */*, 0 no match.
int specificity(std::string_view range, std::string_view type) {
    if (iequals(range, type)) return 3;
    if (range == "*/*") return 1;
    auto slash = type.find('/');
    if (range.size() == slash + 2 && range.ends_with("/*") && iequals(range.substr(0, slash), type.substr(0, slash)))
        return 2;
    return 0;
}

}  // namespace

accept_weight weight_in_accept(std::string_view accept, std::string_view type) {
    accept_weight w;
    for_each_element(accept, [&](const weighted_range& r, std::size_t pos) {
        const int sp = specificity(r.range, type);
        if (sp > w.specificity) w = {r.q, sp, pos};
    });
    return w;
}

media_type negotiate_media(std::string_view accept, bool problem_allowed) {
    // What most clients send: every candidate ties, and ours come in order (text first).
    if (accept == "*/*" || trim_ows(accept).empty()) return media_type::text;

    // Per candidate: the q of the most specific matching range, and where that range
    // stood, so that equal q prefer the more specific match, then the client's order,
    // then ours (text first).
    media_type best = media_type::text;
    accept_weight best_weight{-1, 0, 0};
    for (const auto& c : candidates) {
        if (c.type == media_type::problem_json && !problem_allowed) continue;
        const auto w = weight_in_accept(accept, c.full);
        if (w.specificity == 0 || w.q <= 0) continue;
        bool better =
            w.q > best_weight.q ||
            (w.q == best_weight.q && (w.specificity > best_weight.specificity ||
                                      (w.specificity == best_weight.specificity && w.position < best_weight.position)));
        if (better) {
            best = c.type;
            best_weight = w;
        }
    }
    return best;
}

language negotiate_language(std::string_view accept_language) {
    if (accept_language.empty()) return language::en;
    // q of the best range matching each language; a range matches a tag when
    // it equals it or truncates to it at a '-' ("fr-CA" → "fr", RFC 4647 §3.4).
    auto q_for = [&](std::string_view tag) {
        double q = -1;
        int specific = -1;
        for_each_element(accept_language, [&](const weighted_range& r, std::size_t) {
            int sp = -1;
            if (r.range == "*")
                sp = 0;
            else if (iequals(r.range.substr(0, tag.size()), tag) &&
                     (r.range.size() == tag.size() || r.range[tag.size()] == '-'))
                sp = 1;
            if (sp > specific) {
                specific = sp;
                q = r.q;
            }
        });
        return q;
    };
    double fr = q_for("fr"), en = q_for("en");
    return fr > 0 && fr > en ? language::fr : language::en;
}

std::string_view content_type_of(media_type m) noexcept {
    switch (m) {
        case media_type::json: return "application/json";
        case media_type::problem_json: return "application/problem+json";
        case media_type::html: return "text/html; charset=utf-8";
        case media_type::text: break;
    }
    return "text/plain; charset=utf-8";
}

}  // namespace teapot::detail

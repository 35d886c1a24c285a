#include "scenario/template.hpp"

#include "util/duration.hpp"
#include "util/field_syntax.hpp"
#include "util/http_date.hpp"
#include "util/json_text.hpp"
#include "util/whole_number.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <charconv>
#include <random>

namespace teapot::detail::scenario {
namespace {
using segment = compiled_template::segment;
using kind = segment::kind;

constexpr std::string_view valid_placeholders =
    "valid placeholders: request.path.<capture>, request.query.<name>, request.header.<name>, "
    "request.json.<dotted.path>, session, step.index, step.count, now, now +<duration>, now -<duration>, uuid, "
    "limit.retry_after_s, and \"text\" for literal text ({{ \"{{\" }} writes a literal \"{{\")";

constexpr std::string_view offset_help =
    "expected a sign and a duration in whole seconds, like now +30s, now -1m or now +2h (units s, m, h; at most 24h)";

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::size_t skip_space(std::string_view s, std::size_t at) noexcept {
    while (at < s.size() && is_space(s[at])) ++at;
    return at;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::string quoted(std::string_view s) {
    std::string q;
    q.reserve(s.size() + 2);
    q.append(1, '"').append(s).append(1, '"');
    return q;
}

std::string unknown(std::string_view content) {
    std::string m{"unknown placeholder "};
    m.append(quoted(content)).append("; ").append(valid_placeholders);
    return m;
}

std::string needs_name(std::string_view prefix, std::string_view what, std::string_view example) {
    std::string m;
    m.append(prefix).append(" needs ").append(what).append(", as in {{").append(example).append("}}");
    return m;
}

// {{now}}, {{now +30s}}, {{now -1m}}: the offset in whole seconds, since an HTTP-date has no finer resolution.
std::optional<std::string> parse_now(std::string_view content, segment& out) {
    out.what = kind::now;
    auto rest = trim(content.substr(3));
    if (rest.empty()) return std::nullopt;
    auto bad = [&] {
        std::string m{"bad offset "};
        m.append(quoted(rest)).append(" in {{now}}: ").append(offset_help);
        return m;
    };
    if (rest.front() != '+' && rest.front() != '-') return bad();
    auto d = parse_duration(trim(rest.substr(1)));
    if (!d || d->count() % 1000 != 0) return bad();
    out.offset_s = (rest.front() == '-' ? -1 : 1) * static_cast<std::int64_t>(d->count() / 1000);
    return std::nullopt;
}

/// Parses the trimmed, non-empty content of a placeholder into `out`; an error message on a mistake.
std::optional<std::string> parse_placeholder(std::string_view content, segment& out, const template_options& options) {
    if (content.starts_with("now") &&
        (content.size() == 3 || is_space(content[3]) || content[3] == '+' || content[3] == '-'))
        return parse_now(content, out);
    if (std::any_of(content.begin(), content.end(), is_space)) return unknown(content);

    if (content == "session") {
        out.what = kind::session;
    } else if (content == "step.index") {
        out.what = kind::step_index;
    } else if (content == "step.count") {
        out.what = kind::step_count;
    } else if (content == "uuid") {
        out.what = kind::uuid;
    } else if (content == "limit.retry_after_s") {
        out.what = kind::retry_after_s;
    } else if (content == "request.path" || content == "request.path.") {
        return needs_name("request.path", "a capture of the route's path pattern", "request.path.id");
    } else if (content.starts_with("request.path.")) {
        out.what = kind::path_capture;
        out.text = content.substr(13);
        if (const auto* names = options.path_captures;
            names && std::find(names->begin(), names->end(), out.text) == names->end()) {
            std::string m{"no capture "};
            m.append(quoted(out.text)).append(" in the route's path pattern; ");
            if (names->empty()) return m.append("the path has no {name} captures");
            m.append("its captures: ");
            for (std::size_t i = 0; i < names->size(); ++i) m.append(i ? ", " : "").append((*names)[i]);
            return m;
        }
    } else if (content == "request.query" || content == "request.query.") {
        return needs_name("request.query", "a query parameter name", "request.query.page");
    } else if (content.starts_with("request.query.")) {
        out.what = kind::query;
        out.text = content.substr(14);
    } else if (content == "request.header" || content == "request.header.") {
        return needs_name("request.header", "a header name", "request.header.X-Request-Id");
    } else if (content.starts_with("request.header.")) {
        out.what = kind::header;
        out.text = content.substr(15);
        if (!is_token(out.text)) {
            std::string m;
            m.append(quoted(out.text)).append(" is not a header name (letters, digits and !#$%&'*+-.^_`|~)");
            return m;
        }
    } else if (content == "request.json" || content == "request.json.") {
        return needs_name("request.json", "a dotted path into the JSON body", "request.json.items.0.sku");
    } else if (content.starts_with("request.json.")) {
        out.what = kind::json;
        auto path = content.substr(13);
        for (std::size_t from = 0;;) {
            auto dot = path.find('.', from);
            auto part = path.substr(from, dot == std::string_view::npos ? std::string_view::npos : dot - from);
            if (part.empty()) {
                std::string m{"empty segment in the JSON path "};
                m.append(quoted(path)).append("; expected member names and array indexes joined by dots, as in ");
                return m.append("{{request.json.items.0.sku}}");
            }
            out.json_path.emplace_back(part);
            if (dot == std::string_view::npos) break;
            from = dot + 1;
        }
    } else {
        return unknown(content);
    }
    return std::nullopt;
}

std::array<std::uint64_t, 2> unseeded_random128() {
    thread_local std::mt19937_64 engine{[] {
        std::random_device device;
        return (std::uint64_t{device()} << 32) ^ device();
    }()};
    return {engine(), engine()};
}

/// What one render has read so far: the query, the JSON body and the clock, each at most once.
class renderer {
public:
    explicit renderer(const template_context& ctx) : ctx_(ctx) {}

    void append(std::string& out, const segment& s) {
        switch (s.what) {
            case kind::literal: out.append(s.text); break;
            case kind::path_capture:
                if (ctx_.captures)
                    for (const auto& [name, value] : *ctx_.captures)
                        if (name == s.text) {
                            out.append(value);
                            break;
                        }
                break;
            case kind::query: append_query(out, s.text); break;
            case kind::header:
                if (ctx_.req) out.append(ctx_.req->header(s.text));
                break;
            case kind::json: append_json(out, s.json_path); break;
            case kind::session: out.append(ctx_.session); break;
            case kind::step_index:
                if (ctx_.step_index != 0) out.append(std::to_string(ctx_.step_index));
                break;
            case kind::step_count:
                if (ctx_.step_count != 0) out.append(std::to_string(ctx_.step_count));
                break;
            case kind::now:
                if (!now_) now_ = ctx_.now.value_or(std::time(nullptr));
                out.append(format_http_date(*now_ + static_cast<std::time_t>(s.offset_s)));
                break;
            case kind::uuid:
                out.append(format_uuid_v4(ctx_.random128 ? ctx_.random128() : unseeded_random128()));
                break;
            case kind::retry_after_s:
                if (ctx_.retry_after_s) out.append(std::to_string(*ctx_.retry_after_s));
                break;
        }
    }

private:
    void append_query(std::string& out, std::string_view name) {
        if (!url_tried_) {
            url_tried_ = true;
            if (ctx_.req) {
                // Origin-form is what clients send; absolute-form is what they send to a proxy (RFC 9112 §3.2).
                auto target = ctx_.req->target;
                auto parsed = target.starts_with('/') ? boost::urls::parse_origin_form(target)
                                                      : boost::urls::parse_absolute_uri(target);
                if (parsed) url_ = *parsed;
            }
        }
        if (!url_) return;
        for (auto p : url_->params())
            if (p.key == name) {
                if (p.has_value) out.append(p.value);
                return;
            }
    }

    void append_json(std::string& out, const std::vector<std::string>& path) {
        if (!json_tried_) {
            json_tried_ = true;
            if (ctx_.json_body) {
                json_ = ctx_.json_body;
            } else if (ctx_.req) {
                boost::system::error_code ec;
                auto v = boost::json::parse(ctx_.req->body, ec);
                if (!ec) json_ = &parsed_json_.emplace(std::move(v));
            }
        }
        const boost::json::value* v = json_;
        for (const auto& part : path) {
            if (!v) return;
            if (const auto* obj = v->if_object()) {
                v = obj->if_contains(part);
            } else if (const auto* arr = v->if_array()) {
                const auto index = parse_whole<std::size_t>(part);
                v = index && *index < arr->size() ? &(*arr)[*index] : nullptr;
            } else {
                v = nullptr;
            }
        }
        if (!v) return;
        if (const auto* s = v->if_string()) {
            out.append(s->data(), s->size());
        } else if (const auto* d = v->if_double()) {
            // Boost.JSON writes 12.5 as "1.25E1"; a template wants the shortest plain spelling.
            char buf[32];
            auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
            if (ec == std::errc{}) out.append(buf, end);
        } else {
            out.append(boost::json::serialize(*v));
        }
    }

    const template_context& ctx_;
    std::optional<std::time_t> now_;
    bool url_tried_ = false;
    std::optional<boost::urls::url_view> url_;
    bool json_tried_ = false;
    std::optional<boost::json::value> parsed_json_;
    const boost::json::value* json_ = nullptr;
};

}  // namespace

std::optional<compiled_template> compile_template(std::string_view text, template_error& error,
                                                  const template_options& options) {
    compiled_template t;
    t.source_ = text;
    t.inside_json_strings_ = options.inside_json_strings;
    auto add_literal = [&](std::string_view s) {
        if (s.empty()) return;
        if (!t.segments_.empty() && t.segments_.back().what == kind::literal)
            t.segments_.back().text.append(s);
        else
            t.segments_.push_back(segment{kind::literal, std::string{s}, {}, 0});
    };
    auto fail = [&](std::size_t at, std::string message) -> std::optional<compiled_template> {
        error = template_error{at, std::move(message)};
        return std::nullopt;
    };

    for (std::size_t pos = 0;;) {
        auto open = text.find("{{", pos);
        if (open == std::string_view::npos) {
            add_literal(text.substr(pos));
            break;
        }
        add_literal(text.substr(pos, open - pos));
        auto inner = open + 2;

        // {{ "text" }}: the text itself, the one way to write a literal "{{". Scanned before
        // looking for "}}", so that the quoted text may hold "}}" too.
        if (auto first = skip_space(text, inner); first < text.size() && text[first] == '"') {
            auto quote = text.find('"', first + 1);
            if (quote == std::string_view::npos)
                return fail(open,
                            "unterminated quoted text: expected a closing '\"' and then \"}}\", as in {{ \"{{\" }}");
            auto after = skip_space(text, quote + 1);
            if (text.substr(after, 2) != "}}")
                return fail(open, "expected \"}}\" right after the quoted text, as in {{ \"{{\" }}");
            add_literal(text.substr(first + 1, quote - first - 1));
            pos = after + 2;
            continue;
        }

        auto close = text.find("}}", inner);
        auto next_open = text.find("{{", inner);
        if (close == std::string_view::npos || next_open < close) {
            std::string m{"unterminated placeholder: \"{{\" without a closing \"}}\""};
            if (next_open < close) m.append(" before the next \"{{\"");
            return fail(open, m.append("; write {{ \"{{\" }} for a literal \"{{\""));
        }
        auto content = trim(text.substr(inner, close - inner));
        if (content.empty()) {
            std::string m{"empty placeholder; "};
            return fail(open, m.append(valid_placeholders));
        }
        segment s;
        if (auto why = parse_placeholder(content, s, options)) return fail(open, std::move(*why));
        t.uses_placeholders_ = true;
        t.uses_query_ |= s.what == kind::query;
        t.uses_json_ |= s.what == kind::json;
        t.segments_.push_back(std::move(s));
        pos = close + 2;
    }
    return t;
}

std::string render(const compiled_template& t, const template_context& ctx) {
    if (!t.uses_placeholders()) return t.segments().empty() ? std::string{} : t.segments().front().text;
    std::string out;
    out.reserve(t.source().size() + 64);
    renderer r{ctx};
    std::string value;
    for (const auto& s : t.segments()) {
        if (!t.inside_json_strings() || s.what == kind::literal) {
            r.append(out, s);
            continue;
        }
        // Serialized as a JSON string by Boost.JSON (json_text repairs what is not UTF-8),
        // then inserted without its quotes: the template's own quotes surround it.
        value.clear();
        r.append(value, s);
        const auto quoted =
            json_text(boost::json::value(boost::json::string_view{value}));  // (): {} would make an array of it
        out.append(quoted, 1, quoted.size() - 2);
    }
    return out;
}

std::string render_field_value(const compiled_template& t, const template_context& ctx) {
    std::string out;
    out.reserve(t.source().size() + 64);
    renderer r{ctx};
    for (const auto& s : t.segments()) {
        auto start = out.size();
        r.append(out, s);
        if (s.what == kind::literal) continue;
        // A substituted value comes from the request: CR or LF would end the field and start
        // another (header injection, response splitting; RFC 9112 §2.2), NUL and other controls
        // are invalid in a field-value (RFC 9110 §5.5). HTAB is allowed.
        auto bad = [](char ch) {
            auto c = static_cast<unsigned char>(ch);
            return (c < 0x20 && c != '\t') || c == 0x7f;
        };
        out.erase(std::remove_if(out.begin() + static_cast<std::ptrdiff_t>(start), out.end(), bad), out.end());
    }
    // Leading and trailing whitespace is not part of a field value (RFC 9110 §5.5).
    auto trimmed = trim_ows(out);
    if (trimmed.size() != out.size()) return std::string{trimmed};
    return out;
}

std::string format_uuid_v4(std::array<std::uint64_t, 2> bits) {
    // RFC 9562 §5.4: version 0b0100 in bits 48-51, variant 0b10 in bits 64-65.
    std::uint64_t hi = (bits[0] & 0xFFFF'FFFF'FFFF'0FFFULL) | 0x0000'0000'0000'4000ULL;
    std::uint64_t lo = (bits[1] & 0x3FFF'FFFF'FFFF'FFFFULL) | 0x8000'0000'0000'0000ULL;
    constexpr std::string_view hex = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (int nibble = 0; nibble < 32; ++nibble) {
        if (nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20) out.push_back('-');
        std::uint64_t word = nibble < 16 ? hi : lo;
        int shift = 60 - 4 * (nibble % 16);
        out.push_back(hex[(word >> shift) & 0xF]);
    }
    return out;
}

}  // namespace teapot::detail::scenario

#pragma once
// Step templating (`template: true`): a step's body or header values with
// {{placeholders}} filled from the request and the step being served.
//
// A template is compiled once, when the scenario loads, into literal segments
// and placeholders, so that a mistake is a load error with its position and
// serving a request never re-parses the text.
//
// Placeholders (whitespace inside the braces is allowed: `{{ session }}`):
//   {{request.path.<capture>}}     a path-pattern capture ("/orders/{id}" → id)
//   {{request.query.<name>}}       the first query parameter `name`, percent-decoded
//   {{request.header.<name>}}      the first header field `name` (case-insensitive)
//   {{request.json.<dotted.path>}} a value of the JSON body: object members by name,
//                                  array elements by index (items.0.sku); a string
//                                  renders without quotes, a number in its shortest
//                                  form (12.5), any other value as JSON
//   {{session}}                    the session key (empty for the global session)
//   {{step.index}}, {{step.count}} the 1-based index of the step, the steps in the route
//   {{now}}, {{now +30s}}, {{now -1m}}
//                                  an HTTP-date (IMF-fixdate), optionally offset by a
//                                  whole-second duration (s, m, h; at most 24h)
//   {{uuid}}                       a version-4 UUID from the caller's random stream
//   {{limit.retry_after_s}}        whole seconds until the route's quota reopens
//   {{ "text" }}                   the quoted text itself: `{{ "{{" }}` writes a literal "{{"
//
// Everything else is literal text; a lone "{", "}" or "}}" is not special, and
// neither is "{{{{" (it opens a placeholder like any "{{").
//
// A known placeholder whose value is missing (no such header, query parameter,
// capture or JSON member; a body that is not JSON; no quota on the route)
// renders as an empty string, never as an error: a scenario answers every request.

#include "plan/request.hpp"

#include <boost/json/value.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace teapot::detail::scenario {

/// Why a template does not compile. `offset` is the byte offset of the
/// offending placeholder's "{{" in the template text (the loader turns it into
/// line:col); `message` says what is wrong and what is valid, without the position.
struct template_error {
    std::size_t offset = 0;
    std::string message;
};

/// What compile_template checks beyond the placeholder grammar.
struct template_options {
    /// The capture names of the route's path pattern ("/orders/{id}" → "id").
    /// When set, {{request.path.X}} with an X not in the list is an error;
    /// when null, any capture name compiles (and renders empty if absent).
    const std::vector<std::string>* path_captures = nullptr;
    /// The text is JSON whose placeholders all sit inside strings (a `json:` body, which the
    /// loader serialized from YAML): render() escapes each value as a JSON string's content.
    bool inside_json_strings = false;
};

class compiled_template;

/// Compiles `text`; on a mistake (an unknown placeholder, an unterminated or
/// empty "{{", a bad `now` offset, an invalid header name, an empty JSON path
/// segment, an unknown capture) returns nullopt and fills `error`.
std::optional<compiled_template> compile_template(std::string_view text, template_error& error,
                                                  const template_options& options = {});

/// A parsed template: literal segments and placeholders. A value type, cheap to
/// render from many threads at once (rendering never mutates it).
class compiled_template {
public:
    /// The empty template: renders "".
    compiled_template() = default;

    /// The text it was compiled from.
    const std::string& source() const noexcept { return source_; }
    /// False when the text is only literals (rendering it returns them as they are).
    bool uses_placeholders() const noexcept { return uses_placeholders_; }
    /// Whether rendering reads the query string or the JSON body (parsed on demand).
    bool uses_query() const noexcept { return uses_query_; }
    bool uses_json() const noexcept { return uses_json_; }
    /// Compiled with template_options::inside_json_strings.
    bool inside_json_strings() const noexcept { return inside_json_strings_; }

    bool operator==(const compiled_template& other) const noexcept {
        return source_ == other.source_ && inside_json_strings_ == other.inside_json_strings_;
    }

    /// One literal or placeholder. Public only so that the implementation's free
    /// functions can build and read it; not part of the API.
    struct segment {
        enum class kind {
            literal,
            path_capture,
            query,
            header,
            json,
            session,
            step_index,
            step_count,
            now,
            uuid,
            retry_after_s
        };
        kind what = kind::literal;
        std::string text;                    ///< literal text, or the capture/query/header name
        std::vector<std::string> json_path;  ///< kind::json: the dotted path, split
        std::int64_t offset_s = 0;           ///< kind::now: seconds added to the current time
    };
    const std::vector<segment>& segments() const noexcept { return segments_; }

private:
    friend std::optional<compiled_template> compile_template(std::string_view, template_error&,
                                                             const template_options&);
    std::string source_;
    std::vector<segment> segments_;
    bool uses_placeholders_ = false;
    bool uses_query_ = false;
    bool uses_json_ = false;
    bool inside_json_strings_ = false;
};

/// What rendering reads. Every member is optional: what is not supplied
/// renders as an empty string, except as noted.
struct template_context {
    const request* req = nullptr;  ///< for {{request.*}}
    /// Path-pattern captures in pattern order (match_result::captures).
    const std::vector<std::pair<std::string, std::string>>* captures = nullptr;
    /// The request body already parsed as JSON (match_subject::json_body()); when
    /// null, `req->body` is parsed, once per render and only if a json placeholder is used.
    const boost::json::value* json_body = nullptr;
    std::string_view session;        ///< the session key; empty for the global session
    std::size_t step_index = 0;      ///< 1-based; 0 renders {{step.index}} empty
    std::size_t step_count = 0;      ///< 0 renders {{step.count}} empty
    std::optional<std::time_t> now;  ///< unset: the clock, read once per render
    /// 128 random bits per {{uuid}}, from the scenario's seeded stream. Unset: an
    /// unseeded per-thread generator (UUIDs then differ run to run).
    std::function<std::array<std::uint64_t, 2>()> random128;
    std::optional<std::uint64_t> retry_after_s;  ///< unset when the route has no quota
};

/// Renders a body: substituted values are inserted as they are, or, for a template compiled
/// inside_json_strings, escaped as a JSON string's content (quotes, backslashes and control
/// characters escaped; bytes that are not UTF-8 become U+FFFD), so the body stays JSON.
std::string render(const compiled_template& t, const template_context& ctx);

/// Renders a header field value. Substituted values lose every control
/// character but HTAB (CR, LF and NUL above all), so a request cannot inject a
/// header or split the response (RFC 9112 §2.2, RFC 9110 §5.5); the result is
/// trimmed of leading and trailing SP/HTAB. The literal text is the loader's
/// to validate (is_field_value on the source), so the result is a valid field-value.
std::string render_field_value(const compiled_template& t, const template_context& ctx);

/// A version-4 UUID (RFC 9562 §5.4) from 128 random bits, lower-case 8-4-4-4-12.
std::string format_uuid_v4(std::array<std::uint64_t, 2> bits);

}  // namespace teapot::detail::scenario

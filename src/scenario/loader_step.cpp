// Steps of a route: the answers, their alternatives (one_of) and the route's
// quota (limit). Part of the loader; see file_loader.hpp.

#include "handlers/status_spec.hpp"
#include "plan/request.hpp"
#include "scenario/file_loader.hpp"
#include "scenario/loader_body_file.hpp"
#include "util/duration.hpp"
#include "util/field_syntax.hpp"
#include "util/whole_number.hpp"

#include <boost/json/serialize.hpp>

#include <cmath>

namespace teapot::detail::scenario {

void file_loader::parse_steps(const field& f, std::vector<step>& out) {
    if (!f.value.IsSequence()) return error(f, "a non-empty list of steps");
    if (f.value.size() == 0) return error(f, "a non-empty list of steps");
    for (const auto& item : f.value) out.push_back(parse_step(item));
    // A step answering forever is the last one ever served.
    for (std::size_t i = 0; i + 1 < out.size(); ++i) {
        if (!out[i].times) {
            error(f.value[i + 1].Mark(),
                  "this step is never reached: the step before it has 'times: forever'; expected "
                  "'times: forever' on the last step only");
            break;
        }
    }
}

namespace {

// A handful of alternatives is what a test scripts; thousands is a generator's mistake.
constexpr std::size_t max_alternatives = 100;
// Large enough for percentages and per-mille; small enough that sums stay exact.
constexpr double max_weight = 1'000'000;

constexpr std::pair<std::string_view, std::string_view> step_misplaced[] = {
    {"weight", "belongs to an alternative of 'one_of', not to a step"},
    {"limit", "belongs to a route, not to a step; expected it beside 'steps'"},
};
constexpr std::pair<std::string_view, std::string_view> alternative_misplaced[] = {
    {"times",
     "is not allowed in an alternative of 'one_of': the step holding 'one_of' counts the requests; "
     "expected 'times' on that step"},
    {"one_of", "cannot nest: an alternative of 'one_of' is a plain step with a 'weight'"},
    {"limit", "belongs to a route, not to a step; expected it beside 'steps'"},
};
constexpr std::pair<std::string_view, std::string_view> reject_misplaced[] = {
    {"times", "does not apply to a limit's 'reject': it answers every request over the quota"},
    {"one_of", "is not supported in a limit's 'reject'; expected a plain step"},
    {"weight", "belongs to an alternative of 'one_of', not to a limit's 'reject'"},
    {"limit", "cannot nest in a limit's 'reject'"},
};

bool is_body_key(std::string_view name) { return name == "body" || name == "json" || name == "body_file"; }

}  // namespace

step file_loader::parse_step(const YAML::Node& node) {
    step s;
    s.where = at(node.Mark());
    if (!node.IsMap()) {
        error(field{"a step", node, node.Mark()}, "a mapping with keys: " + join(step_keys));
        return s;
    }
    std::optional<field> one_of;
    std::optional<double> weight;
    std::optional<std::string> body_from;
    step_sources sources;
    parse_step_keys(node, step_place::steps, s, sources, one_of, weight, body_from);
    compile_templates(s, sources);
    if (!one_of) check_fault_fit(s, sources, step_place::steps);
    // The alternatives inherit this step's keys: parsed once these are all known.
    if (one_of) parse_one_of(*one_of, s, sources, body_from);
    return s;
}

void file_loader::parse_one_of(const field& f, step& s, const step_sources& sources,
                               const std::optional<std::string>& body_from) {
    static constexpr std::string_view expected = "a non-empty list of alternatives (steps with a 'weight')";
    if (!f.value.IsSequence() || f.value.size() == 0) return error(f, expected);
    if (f.value.size() > max_alternatives) return error(f, "a list of at most 100 alternatives");
    // The shared part: everything of the step but what counts requests.
    step base = s;
    base.times = 1;
    for (const auto& item : f.value) {
        if (!item.IsMap()) {
            error(field{"an alternative of 'one_of'", item, item.Mark()},
                  "a mapping with keys: " + join(alternative_keys));
            continue;
        }
        alternative alt{1.0, base};
        alt.answer.where = at(item.Mark());
        const std::size_t inherited_headers = alt.answer.headers.size();
        step_sources alt_sources = sources;
        alt_sources.keys.clear();  // a fault in an alternative drops what it inherits, silently
        std::optional<field> nested;
        std::optional<double> weight;
        std::optional<std::string> alt_body = body_from;
        parse_step_keys(item, step_place::alternative, alt.answer, alt_sources, nested, weight, alt_body);
        if (weight) alt.weight = *weight;
        // An alternative's header replaces the step's header of the same name (names are case-insensitive).
        auto& headers = alt.answer.headers;
        std::vector<header_field> merged;
        std::vector<YAML::Node> merged_sources;
        for (std::size_t i = 0; i < headers.size(); ++i) {
            bool replaced = i < inherited_headers &&
                            std::any_of(headers.begin() + static_cast<std::ptrdiff_t>(inherited_headers), headers.end(),
                                        [&](const header_field& h) { return iequals(h.name, headers[i].name); });
            if (replaced) continue;
            merged.push_back(headers[i]);
            if (i < alt_sources.headers.size()) merged_sources.push_back(alt_sources.headers[i]);
        }
        headers = std::move(merged);
        alt_sources.headers = std::move(merged_sources);
        compile_templates(alt.answer, alt_sources);
        check_fault_fit(alt.answer, alt_sources, step_place::alternative);
        s.one_of.push_back(std::move(alt));
    }
}

void file_loader::parse_step_keys(const YAML::Node& node, step_place place, step& s, step_sources& sources,
                                  std::optional<field>& one_of, std::optional<double>& weight,
                                  std::optional<std::string>& body_from) {
    const bool alternative = place == step_place::alternative;
    // An alternative may inherit a body from its step: then it may not have one of its own.
    const std::optional<std::string> inherited_body = alternative ? body_from : std::nullopt;
    keys known = place == step_place::steps ? keys{step_keys}
                 : alternative              ? keys{alternative_keys}
                                            : keys{reject_keys};
    misplaced_keys misplaced = place == step_place::steps ? misplaced_keys{step_misplaced}
                               : alternative              ? misplaced_keys{alternative_misplaced}
                                                          : misplaced_keys{reject_misplaced};
    const std::string_view where = place == step_place::steps ? "a step"
                                   : alternative              ? "an alternative of 'one_of'"
                                                              : "a limit's 'reject'";
    for_each_entry(
        node, where, known,
        [&](const std::string& name, const YAML::Node& key, const YAML::Node& value) {
            field f = make_field(quote(name), key, value);
            if (std::find(sources.keys.begin(), sources.keys.end(), name) == sources.keys.end())
                sources.keys.push_back(name);
            if (name == "status") {
                static constexpr std::string_view expected = "a three-digit status code from 100 to 599";
                auto code = value.IsScalar() ? parse_status_code(value.Scalar()) : std::nullopt;
                if (code)
                    s.status = *code;
                else
                    error(f, expected);
            } else if (name == "reason") {
                static constexpr std::string_view expected = "a reason phrase (visible characters and spaces)";
                auto r = text(f, expected);
                if (r && !is_reason_phrase(*r)) return error(f, expected);
                if (r) s.reason = *r;
            } else if (name == "headers") {
                parse_step_headers(f, s.headers, sources.headers);
            } else if (is_body_key(name)) {
                if (inherited_body && body_from == inherited_body) {
                    std::string message = "this alternative has ";
                    message.append(quote(name)).append(" but its step already has ").append(quote(*inherited_body));
                    message.append("; expected the body on the step or in the alternatives, not both");
                    return error(key.Mark(), std::move(message));
                }
                if (body_from && body_from != inherited_body) {
                    std::string message = "a step takes at most one of body, json, body_file; it already has ";
                    message.append(quote(*body_from));
                    return error(key.Mark(), std::move(message));
                }
                body_from = name;
                sources.body = value;
                sources.body_key = name;
                s.content_type.reset();
                if (name == "body") {
                    s.body = text(f);
                } else if (name == "json") {
                    if (auto j = json(f)) {
                        s.body = boost::json::serialize(*j) + "\n";  // as httpbin and go-httpbin end theirs
                        s.content_type = "application/json";
                    }
                } else if (!base_dir_) {
                    error(f.mark,
                          "body_file needs a scenario file: this scenario was loaded from text, with no directory "
                          "to read from; use body or json");
                } else if (auto path = text(f, "a file path relative to the scenario file")) {
                    std::string problem;
                    if (auto content = read_body_file(*base_dir_, *path, problem)) {
                        s.body = std::move(content->body);
                        s.content_type = std::move(content->content_type);
                    } else {
                        error(f.mark, std::move(problem));
                    }
                }
            } else if (name == "times") {
                if (value.IsScalar() && value.Scalar() == "forever") {
                    s.times = std::nullopt;
                } else if (auto n = integer<std::uint64_t>(f, "a positive integer or 'forever'", 1)) {
                    s.times = *n;
                }
            } else if (name == "delay") {
                parse_delay(f, s);
            } else if (name == "fault") {
                sources.fault = key.Mark();
                parse_fault(f, s);
            } else if (name == "stream") {
                parse_stream(f, s);
            } else if (name == "interim") {
                s.interim.clear();
                parse_interim(f, s.interim);
            } else if (name == "set_state") {
                s.set_state = non_empty_text(f);
            } else if (name == "template") {
                auto on = value.IsScalar() ? core_bool(value.Scalar()) : std::nullopt;
                if (on)
                    s.templated = *on;
                else
                    error(f, "true or false");
            } else if (name == "one_of") {
                one_of.emplace(std::move(f));
            } else if (name == "weight") {
                static constexpr std::string_view expected = "a positive number (at most 1000000)";
                std::optional<double> w;
                if (value.IsScalar()) w = parse_whole<double>(value.Scalar());
                if (!w || !(*w > 0) || !(*w <= max_weight)) return error(f, expected);
                weight = *w;
            }
        },
        misplaced);
}

std::optional<route_limit> file_loader::parse_limit(const field& f) {
    if (!f.value.IsMap()) {
        error(f, "a mapping with keys: " + join(limit_keys));
        return std::nullopt;
    }
    route_limit out;
    out.reject.status = 429;
    out.reject.where = at(f.mark);
    bool ok = true, has_requests = false, has_per = false;
    for_each_entry(f.value, "'limit'", limit_keys,
                   [&](const std::string& name, const YAML::Node& key, const YAML::Node& value) {
                       field sub = make_field(quote(name), key, value);
                       const std::size_t before = errors_.size();
                       if (name == "requests") {
                           has_requests = true;
                           if (auto n = integer<std::uint64_t>(sub, "a positive integer", 1)) out.requests = *n;
                       } else if (name == "per") {
                           has_per = true;
                           static constexpr std::string_view expected =
                               "a positive duration such as 500ms, 2s or 1m (at most 24h)";
                           auto d = value.IsScalar() ? parse_duration(value.Scalar()) : std::nullopt;
                           if (d && d->count() > 0)
                               out.per = *d;
                           else
                               error(sub, expected);
                       } else if (name == "key") {
                           parse_limit_key(sub, out);
                       } else if (name == "reject") {
                           if (!value.IsMap()) return error(sub, "a step: a mapping with keys: " + join(reject_keys));
                           out.reject = step{};
                           out.reject.where = at(value.Mark());
                           std::optional<field> one_of;
                           std::optional<double> weight;
                           std::optional<std::string> body_from;
                           step_sources sources;
                           parse_step_keys(value, step_place::reject, out.reject, sources, one_of, weight, body_from);
                           compile_templates(out.reject, sources);
                           check_fault_fit(out.reject, sources, step_place::reject);
                       }
                       if (errors_.size() != before) ok = false;
                   });
    if (!has_requests) error(f.mark, "'limit' needs 'requests': how many requests a window lets through");
    if (!has_per) error(f.mark, "'limit' needs 'per': how long a window lasts, such as 2s");
    if (!ok || !has_requests || !has_per) return std::nullopt;
    return out;
}

void file_loader::parse_limit_key(const field& f, route_limit& out) {
    static constexpr std::string_view expected = "'session' or 'header NAME'";
    auto s = text(f, expected);
    if (!s) return;
    if (*s == "session") {
        out.key = route_limit::key_kind::session;
        return;
    }
    std::string_view spec = *s;
    if (!spec.starts_with("header ")) return error(f, expected);
    spec.remove_prefix(7);
    spec.remove_prefix(std::min(spec.find_first_not_of(' '), spec.size()));
    // RFC 9110 §5.1: a field name is a token.
    if (spec.empty() || !is_token(spec)) return error(f, "'session' or 'header NAME' with NAME a header name");
    out.key = route_limit::key_kind::header;
    out.header = std::string{spec};
}

void file_loader::parse_step_headers(const field& f, std::vector<header_field>& out, std::vector<YAML::Node>& nodes) {
    if (!f.value.IsMap()) return error(f, "a mapping of header names to values");
    for_each_pair(f.value, "a step's 'headers'",
                  [&](const std::string& name, const YAML::Node& key, const YAML::Node& value) {
                      if (!is_token(name)) {
                          std::string message = quote(name);
                          message.append(" is not a valid header name; expected a token such as Retry-After");
                          return error(key.Mark(), std::move(message));
                      }
                      // Framing is teapot's to decide (RFC 9112 §6): a scripted one would corrupt the stream.
                      if (is_framing_field(name)) {
                          std::string message = "header ";
                          message.append(quote(name)).append(" decides the message framing and is set by teapot;");
                          message.append(" expected any other header");
                          return error(key.Mark(), std::move(message));
                      }
                      field v = make_field("header " + quote(name), key, value);
                      static constexpr std::string_view expected =
                          "a header value (visible characters and inner spaces, no line breaks)";
                      auto s = text(v, expected);
                      if (s && !is_field_value(*s)) return error(v, expected);
                      if (!s) return;
                      out.push_back({name, *s});
                      nodes.push_back(value);
                  });
}

void file_loader::peek_captures(const YAML::Node& route_node) {
    captures_.clear();
    captures_known_ = true;
    if (!route_node.IsMap()) return;
    const YAML::Node match = route_node["match"];
    if (!match || !match.IsMap()) return;
    const YAML::Node path = match["path"];
    if (!path || path.IsNull()) return;
    // Parsed again, silently, when `match` is reached: its errors are reported there, once.
    const std::size_t before = errors_.size();
    auto parsed = parse_path(field{"'path'", path, path.Mark()});
    errors_.resize(before);
    if (!parsed) {
        // A broken path is reported already; checking captures against it would only add noise.
        captures_known_ = false;
        return;
    }
    for (const auto& segment : parsed->segments)
        if (segment.starts_with('{')) captures_.push_back(segment.substr(1, segment.size() - 2));
}

void file_loader::compile_templates(step& s, const step_sources& sources) {
    s.body_template.reset();
    s.header_templates.clear();
    if (!s.templated) return;
    if (s.body && sources.body) {
        std::string label = quote(sources.body_key);
        s.body_template =
            compile_text(*s.body, sources.body, label, sources.body_key == "body_file", sources.body_key == "json");
    }
    for (std::size_t i = 0; i < s.headers.size(); ++i) {
        std::optional<compiled_template> t;
        if (i < sources.headers.size()) {
            std::string label = "header ";
            label.append(quote(s.headers[i].name));
            t = compile_text(s.headers[i].value, sources.headers[i], label, false);
        }
        // On an error the load fails anyway: the empty template only keeps the vectors parallel.
        s.header_templates.push_back(t ? std::move(*t) : compiled_template{});
    }
}

std::optional<compiled_template> file_loader::compile_text(std::string_view text, const YAML::Node& node,
                                                           std::string_view label, bool from_file, bool json) {
    template_error problem;
    template_options options;
    options.inside_json_strings = json;
    if (captures_known_) options.path_captures = &captures_;
    auto compiled = compile_template(text, problem, options);
    if (compiled) return compiled;

    load_error e;
    std::string message = "in the template of ";
    message.append(label);
    if (from_file) {
        // The text is the file's, not the scenario's: say where in the file.
        std::string_view before = text.substr(0, problem.offset);
        const auto line = std::count(before.begin(), before.end(), '\n') + 1;
        const auto line_start = before.rfind('\n');
        const std::size_t column = problem.offset - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
        message.append(" (line ").append(std::to_string(line)).append(", column ").append(std::to_string(column));
        message.append(" of the file)");
        e.where = at(node.Mark());
    } else {
        e.where = template_position(node, text, problem.offset);
    }
    message.append(": ").append(problem.message);
    e.message = std::move(message);
    // An alternative of one_of compiles the texts it inherits again: report each mistake once.
    const bool seen = std::any_of(errors_.begin(), errors_.end(), [&](const load_error& other) {
        return other.where.line == e.where.line && other.where.column == e.where.column && other.message == e.message;
    });
    if (!seen) errors_.push_back(std::move(e));
    return std::nullopt;
}

// The "{{" at `offset` of `text` (the value of `node`) is the same-numbered "{{" in
// the file from where the node starts: YAML quoting, escapes, block scalars and
// folding never make or split a "{{", and JSON serialization keeps order and braces.
// When the file does not show it (a brace from an escape), the node's own position.
source_location file_loader::template_position(const YAML::Node& node, std::string_view text,
                                               std::size_t offset) const {
    const YAML::Mark mark = node.Mark();
    if (mark.line < 0 || mark.column < 0) return at(mark);
    std::size_t nth = 0;
    for (auto found = text.find("{{"); found < offset; found = text.find("{{", found + 1)) ++nth;

    // yaml-cpp's line and column (0-based) → an offset in the file.
    std::size_t pos = 0;
    for (int line = 0; line < mark.line && pos != std::string_view::npos; ++line) {
        pos = yaml_.find('\n', pos);
        if (pos != std::string_view::npos) ++pos;
    }
    if (pos == std::string_view::npos) return at(mark);
    pos += static_cast<std::size_t>(mark.column);
    for (std::size_t i = 0;; ++i) {
        pos = yaml_.find("{{", pos);
        if (pos == std::string_view::npos) return at(mark);
        if (i == nth) break;
        ++pos;
    }
    std::string_view before = yaml_.substr(0, pos);
    const auto line_start = before.rfind('\n');
    const auto column = pos - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
    return {file_, static_cast<int>(std::count(before.begin(), before.end(), '\n') + 1), static_cast<int>(column)};
}

void file_loader::parse_interim(const field& f, std::vector<int>& out) {
    static constexpr std::string_view expected = "a list of 1xx status codes other than 101";
    if (!f.value.IsSequence()) return error(f, expected);
    if (f.value.size() > max_interim) return error(f, "a list of at most 16 interim codes");
    for (const auto& item : f.value) {
        auto code = item.IsScalar() ? parse_status_code(item.Scalar()) : std::nullopt;
        // 101 switches protocols: it is a final answer in practice, not an interim one.
        if (!code || *code >= 200 || *code == 101) {
            error(field{"an interim code", item, item.Mark()}, "a 1xx status code other than 101");
            continue;
        }
        out.push_back(*code);
    }
}

}  // namespace teapot::detail::scenario

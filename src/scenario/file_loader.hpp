#pragma once
// The inside of the scenario loader, shared by its files (loader.cpp: the
// scenario, routes, matches and expect rules; loader_step.cpp: steps, one_of
// and limits). Not part of any interface: only the loader includes it.

#include "scenario/loader_json.hpp"
#include "scenario/model.hpp"
#include "scenario/regex.hpp"
#include "util/whole_number.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace teapot::detail::scenario {

using keys = std::span<const std::string_view>;
/// Keys that exist elsewhere in the format, with what to say when one is put here.
using misplaced_keys = std::span<const std::pair<std::string_view, std::string_view>>;

constexpr std::array<std::string_view, 6> scenario_keys{"name", "isolate_by", "seed", "routes", "expect", "tls_cases"};
constexpr std::array<std::string_view, 7> route_keys{"id", "match", "priority", "when_state", "steps", "then", "limit"};
constexpr std::array<std::string_view, 5> match_keys{"method", "path", "query", "headers", "body"};
constexpr std::array<std::string_view, 4> body_match_keys{"contains", "equals", "regex", "json"};
// clang-format off
constexpr std::array<std::string_view, 14> step_keys{"status", "reason", "headers", "body", "json", "body_file", "times",
                                                     "delay", "interim", "set_state", "one_of", "template", "fault",
                                                     "stream"};
constexpr std::array<std::string_view, 13> alternative_keys{"status", "reason", "headers", "body", "json", "body_file",
                                                            "delay", "interim", "set_state", "weight", "template",
                                                            "fault", "stream"};
constexpr std::array<std::string_view, 12> reject_keys{"status", "reason", "headers", "body", "json", "body_file",
                                                       "delay", "interim", "set_state", "template", "fault", "stream"};
// clang-format on
constexpr std::array<std::string_view, 3> delay_keys{"uniform", "lognormal", "fixed"};
constexpr std::array<std::string_view, 3> lognormal_keys{"median", "sigma", "max"};
constexpr std::array<std::string_view, 3> stream_keys{"chunk", "every", "rate"};
constexpr std::array<std::string_view, 4> limit_keys{"requests", "per", "key", "reject"};
// An expect rule's keys: "route" and the rule kinds (model.hpp).
constexpr auto expect_keys = [] {
    std::array<std::string_view, expect_rule_kinds.size() + 1> out{"route"};
    for (std::size_t i = 0; i < expect_rule_kinds.size(); ++i) out[i + 1] = expect_rule_kinds[i].key;
    return out;
}();
constexpr std::array<std::string_view, 2> count_keys{"min", "max"};
// A tls rule's keys: the facts it compares (model.hpp), and whether a client certificate came.
constexpr auto tls_rule_keys = [] {
    std::array<std::string_view, tls_fact_fields.size() + 1> out{};
    for (std::size_t i = 0; i < tls_fact_fields.size(); ++i) out[i] = tls_fact_fields[i].key;
    out.back() = "client_certificate";
    return out;
}();

// A handful of 1xx responses is all a client test needs; more is a typo.
constexpr std::size_t max_interim = 16;
// Scenario files are written by hand; anything bigger is the wrong file.
constexpr std::uintmax_t max_scenario_file_size = 16 * 1024 * 1024;
inline std::string join(keys list) {
    std::string out;
    for (auto k : list) {
        if (!out.empty()) out.append(", ");
        out.append(k);
    }
    return out;
}

inline bool contains(keys list, std::string_view key) { return std::find(list.begin(), list.end(), key) != list.end(); }

inline std::string quote(std::string_view text) {
    std::string out = "'";
    out.append(text).append("'");
    return out;
}

// How a node looks, for "..., not <this>".
inline std::string describe(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map: return "a mapping";
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Scalar: {
            const std::string& s = node.Scalar();
            if (s.size() <= 40) return quote(s);
            std::string cut = s.substr(0, 37);
            cut.append("...");
            return quote(cut);
        }
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined: break;
    }
    return "empty";
}

// Scenario names and route ids appear in URLs and logs: keep them plain.
inline bool is_plain_name(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    });
}

inline bool is_identifier(std::string_view s) {
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front()))) return false;
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

inline std::string to_upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

inline std::optional<bool> core_bool(std::string_view s) {
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    return std::nullopt;
}

/// One value in the file and what to call it in a message ("'reason'", "a method").
struct field {
    std::string label;
    YAML::Node value;
    YAML::Mark mark;  ///< the value's, or its key's when the value is empty
};

/// Where a step's templatable texts were written, for the positions of template
/// errors. Alternatives of `one_of` inherit their step's, like its keys.
struct step_sources {
    YAML::Node body;                  ///< the value of body, json or body_file; undefined when none
    std::string body_key;             ///< "body", "json" or "body_file"
    std::vector<YAML::Node> headers;  ///< the value of each entry of step::headers, in order
    std::optional<YAML::Mark> fault;  ///< where `fault` is written, for combination errors
    std::vector<std::string> keys;    ///< every key written (or inherited), for combination errors
};

/// One scenario file → model, collecting every error on the way.
class file_loader {
public:
    /// Without `base_dir` (text posted at run time), body_file is refused: there is no directory to confine it to.
    file_loader(std::string file, std::optional<std::filesystem::path> base_dir)
        : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

    std::optional<scenario> load(std::string_view yaml);
    /// A list of expect rules on their own (verify's posted rules): route ids are not checked here.
    std::optional<std::vector<expect_rule>> load_rules(std::string_view yaml);

    std::vector<load_error>& errors() { return errors_; }
    /// Where the scenario's name comes from: its `name:` value, or 1:1 when defaulted.
    const source_location& name_where() const { return name_where_; }

private:
    source_location at(const YAML::Mark& mark) const {
        // yaml-cpp counts from 0; a null mark (-1) means "the file as a whole".
        if (mark.line < 0 || mark.column < 0) return {file_, 1, 1};
        return {file_, mark.line + 1, mark.column + 1};
    }
    void error(const YAML::Mark& mark, std::string message) { errors_.push_back({at(mark), std::move(message)}); }
    void error(const field& f, std::string_view expected) {
        std::string message = f.label;
        message.append(" must be ").append(expected).append(", not ").append(describe(f.value));
        error(f.mark, std::move(message));
    }

    static field make_field(std::string label, const YAML::Node& key, const YAML::Node& value) {
        // An empty value's mark points at the next token, often on another line: use the key's.
        YAML::Mark mark = value.IsNull() ? key.Mark() : value.Mark();
        return {std::move(label), value, mark};
    }

    // Each entry of a mapping, checked for non-scalar and duplicate keys.
    template <typename Handler>
    void for_each_pair(const YAML::Node& map, std::string_view where, Handler&& handle) {
        std::map<std::string, int> seen;
        for (auto it = map.begin(); it != map.end(); ++it) {
            const YAML::Node key = it->first;
            const YAML::Node value = it->second;
            if (!key.IsScalar()) {
                std::string message = "a key in ";
                message.append(where).append(" is ").append(describe(key)).append("; expected a plain name");
                error(key.Mark(), std::move(message));
                continue;
            }
            auto [first, inserted] = seen.emplace(key.Scalar(), key.Mark().line + 1);
            if (!inserted) {
                std::string message = "duplicate key ";
                message.append(quote(key.Scalar())).append(" in ").append(where);
                message.append(" (first at line ").append(std::to_string(first->second)).append(")");
                error(key.Mark(), std::move(message));
                continue;
            }
            handle(key.Scalar(), key, value);
        }
    }

    // Like for_each_pair, for a mapping whose keys are a fixed set: unknown keys are errors.
    template <typename Handler>
    void for_each_entry(const YAML::Node& map, std::string_view where, keys known, Handler&& handle,
                        misplaced_keys misplaced = {}) {
        for_each_pair(map, where, [&](const std::string& name, const YAML::Node& key, const YAML::Node& value) {
            auto wrong_place = std::find_if(misplaced.begin(), misplaced.end(),
                                            [&](const auto& entry) { return entry.first == name; });
            if (contains(known, name)) {
                handle(name, key, value);
            } else if (wrong_place != misplaced.end()) {
                std::string message = quote(name);
                message.append(" ").append(wrong_place->second);
                error(key.Mark(), std::move(message));
            } else {
                std::string message = "unknown key ";
                message.append(quote(name)).append(" in ").append(where).append("; expected one of: ");
                message.append(join(known));
                error(key.Mark(), std::move(message));
            }
        });
    }

    std::optional<std::string> text(const field& f, std::string_view expected = "a string") {
        if (f.value.IsScalar()) return f.value.Scalar();
        error(f, expected);
        return std::nullopt;
    }

    std::optional<std::string> non_empty_text(const field& f) {
        auto s = text(f, "a non-empty string");
        if (s && s->empty()) {
            error(f, "a non-empty string");
            return std::nullopt;
        }
        return s;
    }

    std::optional<std::string> plain_name(const field& f) {
        static constexpr std::string_view expected = "a name of letters, digits, '.', '_' or '-'";
        auto s = text(f, expected);
        if (s && !is_plain_name(*s)) {
            error(f, expected);
            return std::nullopt;
        }
        return s;
    }

    template <typename T>
    std::optional<T> integer(const field& f, std::string_view expected, T min = std::numeric_limits<T>::min()) {
        std::optional<T> value;
        if (f.value.IsScalar()) value = parse_whole<T>(f.value.Scalar());
        if (!value || *value < min) {
            error(f, expected);
            return std::nullopt;
        }
        return value;
    }

    // Rules like `no_unmatched: true` exist only to be switched on.
    bool must_be_true(const field& f) {
        auto value = f.value.IsScalar() ? core_bool(f.value.Scalar()) : std::nullopt;
        if (value == true) return true;
        error(f, "true (leave the rule out to skip this check)");
        return false;
    }

    /// A scenario regex compiled with RE2 (loader_regex.cpp), or null after reporting why not.
    std::shared_ptr<const compiled_regex> regex(const field& f, const std::string& source);

    std::optional<boost::json::value> json(const field& f) {
        std::vector<yaml_json_error> problems;
        boost::json::value value = yaml_to_json(f.value, problems);
        for (auto& p : problems) {
            std::string message = "in ";
            message.append(f.label).append(": ").append(p.message);
            error(p.mark, std::move(message));
        }
        if (!problems.empty()) return std::nullopt;
        return value;
    }

    void parse_isolation(const field& f, isolation& out);
    void parse_routes(const field& f, std::vector<route>& out);
    route parse_route(const YAML::Node& node);
    void parse_match(const field& f, route_match& out);
    void parse_methods(const field& f, std::vector<std::string>& out);
    std::optional<path_matcher> parse_path(const field& f);
    std::optional<value_matcher> parse_value_matcher(const field& f);
    void parse_body_matcher(const field& f, body_matcher& out);
    void parse_steps(const field& f, std::vector<step>& out);
    step parse_step(const YAML::Node& node);
    /// Where a step is written decides which keys it may have.
    enum class step_place { steps, alternative, reject };
    void parse_step_keys(const YAML::Node& node, step_place place, step& s, step_sources& sources,
                         std::optional<field>& one_of, std::optional<double>& weight,
                         std::optional<std::string>& body_from);
    void parse_one_of(const field& f, step& s, const step_sources& sources,
                      const std::optional<std::string>& body_from);
    /// Reads the route's path captures before its steps, wherever `match` is written.
    void peek_captures(const YAML::Node& route_node);
    /// template: true: compiles the step's body and header values; otherwise drops any.
    void compile_templates(step& s, const step_sources& sources);
    /// `json`: the text is a json: body, serialized (its placeholders inside JSON strings).
    std::optional<compiled_template> compile_text(std::string_view text, const YAML::Node& node, std::string_view label,
                                                  bool from_file, bool json = false);
    source_location template_position(const YAML::Node& node, std::string_view text, std::size_t offset) const;
    std::optional<route_limit> parse_limit(const field& f);
    void parse_limit_key(const field& f, route_limit& out);
    void parse_step_headers(const field& f, std::vector<header_field>& out, std::vector<YAML::Node>& nodes);
    void parse_interim(const field& f, std::vector<int>& out);
    // loader_fault.cpp: faults, pacing and delay distributions.
    void parse_delay(const field& f, step& s);
    void parse_fault(const field& f, step& s);
    void parse_stream(const field& f, step& s);
    /// A fault that cannot be honoured with the step's other keys or its response is an error at `fault`.
    void check_fault_fit(const step& s, const step_sources& sources, step_place place);
    void parse_expect(const field& f, std::vector<expect_rule>& out);
    std::optional<expect_rule> parse_expect_rule(const YAML::Node& node);
    void check_route_ref(const field& f, const std::string& id);

    std::string file_;
    std::optional<std::filesystem::path> base_dir_;
    std::string_view yaml_;  ///< the text being loaded, for the positions of template errors
    // The capture names of the route being parsed; unknown (any name compiles) when its path is invalid.
    std::vector<std::string> captures_;
    bool captures_known_ = true;
    std::vector<load_error> errors_;
    source_location name_where_;
    // Route ids as soon as they are read (even from a route with errors), with their line.
    std::map<std::string, int> route_ids_;
    bool routes_listed_ = false;
};

}  // namespace teapot::detail::scenario

#include "scenario/loader.hpp"

#include "handlers/status_spec.hpp"
#include "scenario/file_loader.hpp"
#include "scenario/route_fingerprint.hpp"
#include "scenario/template.hpp"
#include "scenario/yaml_guards.hpp"
#include "util/duration.hpp"
#include "util/field_syntax.hpp"

#include <yaml-cpp/yaml.h>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <utility>

namespace teapot::detail::scenario {
namespace fs = std::filesystem;

std::optional<scenario> file_loader::load(std::string_view yaml) {
    yaml_ = yaml;
    if (auto nul = first_nul(yaml)) {
        error(*nul, nul_message);
        return std::nullopt;
    }
    YAML::Node root;
    std::optional<YAML::Mark> second_document;
    try {
        // Not YAML::LoadAll: yaml-cpp 0.7 (Debian 12) takes a ',' outside any flow collection
        // (",", "[a],", "- a\n,") for an empty document that consumes nothing, and LoadAll then
        // adds empty documents until memory runs out (jbeder/yaml-cpp#1040; found by
        // fuzz/scenario_loader). The documents are walked here instead, and one that starts
        // where the previous one did is that stray token.
        std::istringstream in{std::string{yaml}};
        YAML::Parser parser{in};
        document_marks marks;
        while (marks.starts.size() < 3 && parser.HandleNextDocument(marks)) {
            const auto n = marks.starts.size();
            if (n >= 2 && marks.starts[n - 1].pos == marks.starts[n - 2].pos) {
                const auto at = static_cast<std::size_t>(marks.starts.back().pos);
                const char c = at < yaml.size() ? yaml[at] : ',';
                std::string message = "invalid YAML: unexpected ";
                if (c == ',')
                    message.append("',': a comma separates the items of a [list] or a {mapping} only");
                else if (c > 0x20 && c < 0x7f)
                    message.append("'").append(1, c).append("'");
                else
                    message.append("byte ").append(std::to_string(static_cast<unsigned char>(c)));
                error(marks.starts.back(), std::move(message));
                return std::nullopt;
            }
        }
        if (marks.nodes.size() > 1) second_document = marks.nodes[1];
        root = YAML::Load(std::string{yaml});
    } catch (const nested_too_deep& e) {
        error(e.mark, too_deep_message);
        return std::nullopt;
    } catch (const YAML::Exception& e) {
        // A syntax error leaves nothing reliable to check further.
        std::string message = "invalid YAML: ";
        message.append(e.msg);
        error(e.mark, std::move(message));
        return std::nullopt;
    }
    if (root.IsNull()) {
        error(YAML::Mark::null_mark(), "the file is empty; expected a scenario: a mapping with at least 'routes'");
        return std::nullopt;
    }
    const auto size = resolution_meter{}.measure(root);
    if (!size) {
        error(root.Mark(), too_large_message);
        return std::nullopt;
    }
    if (second_document) error(*second_document, "a second YAML document ('---'); expected one scenario per file");

    if (!root.IsMap()) {
        std::string message = "the scenario is ";
        message.append(describe(root)).append("; expected a mapping with keys: ").append(join(scenario_keys));
        error(root.Mark(), std::move(message));
        return std::nullopt;
    }

    scenario out;
    out.file = file_;
    bool named = false, has_routes = false;
    std::optional<field> expect;
    for_each_entry(root, "the scenario", scenario_keys,
                   [&](const std::string& name, const YAML::Node& key, const YAML::Node& value) {
                       field f = make_field(quote(name), key, value);
                       if (name == "name") {
                           named = true;
                           name_where_ = at(f.mark);
                           if (auto s = plain_name(f)) out.name = *s;
                       } else if (name == "isolate_by") {
                           parse_isolation(f, out.isolate_by);
                       } else if (name == "seed") {
                           out.seed = integer<std::uint64_t>(f, "an unsigned integer");
                       } else if (name == "routes") {
                           has_routes = true;
                           parse_routes(f, out.routes);
                       } else if (name == "expect") {
                           // Checked once every route id is known, wherever `expect` is written.
                           expect.emplace(std::move(f));
                       } else if (name == "tls_cases") {
                           // Names only here: which exist and which are served, the registry checks.
                           if (!value.IsSequence() || value.size() == 0)
                               return error(f, "a non-empty list of TLS case names, such as [expired, handshake-hang]");
                           for (const auto& item : value) {
                               field entry{"a 'tls_cases' entry", item, item.Mark()};
                               if (auto case_name = plain_name(entry))
                                   out.tls_cases.push_back({*case_name, at(item.Mark())});
                           }
                       }
                   });
    if (!has_routes) error(root.Mark(), "the scenario has no 'routes'; expected a non-empty list of routes");
    if (expect) parse_expect(*expect, out.expect);

    if (!named) {
        name_where_ = {file_, 1, 1};
        std::string stem = fs::path{file_}.stem().string();
        if (file_.empty() || !base_dir_) {
            error(YAML::Mark::null_mark(), "a scenario loaded without a file needs a 'name'");
        } else if (!is_plain_name(stem)) {
            std::string message = "the scenario has no 'name' and its file name ";
            message.append(quote(stem))
                .append(" is not a valid one; add a 'name:' of letters, digits, '.', '_' or '-'");
            error(YAML::Mark::null_mark(), std::move(message));
        } else {
            out.name = stem;
        }
    }

    // Reported in the order of the file, as an editor lists them.
    std::stable_sort(errors_.begin(), errors_.end(), [](const load_error& a, const load_error& b) {
        return std::pair{a.where.line, a.where.column} < std::pair{b.where.line, b.where.column};
    });
    if (!errors_.empty()) return std::nullopt;
    out.resolved_bytes = charge(*size, out);
    return out;
}

std::optional<std::vector<expect_rule>> file_loader::load_rules(std::string_view yaml) {
    yaml_ = yaml;
    if (auto nul = first_nul(yaml)) {
        error(*nul, nul_message);
        return std::nullopt;
    }
    YAML::Node root;
    try {
        // The first document's events, for its depth, before yaml-cpp builds a tree of it.
        std::istringstream in{std::string{yaml}};
        YAML::Parser parser{in};
        document_marks marks;
        parser.HandleNextDocument(marks);
        root = YAML::Load(std::string{yaml});
    } catch (const nested_too_deep& e) {
        error(e.mark, too_deep_message);
        return std::nullopt;
    } catch (const YAML::Exception& e) {
        std::string message = "invalid YAML or JSON: ";
        message.append(e.msg);
        error(e.mark, std::move(message));
        return std::nullopt;
    }
    if (!resolution_meter{}.measure(root)) {
        error(root.Mark(), too_large_message);
        return std::nullopt;
    }
    std::vector<expect_rule> rules;
    if (root.IsNull() || (root.IsSequence() && root.size() == 0)) {
        error(root.Mark(), "no rules; expected a list of expect rules, such as [{route: orders, count: 3}]");
        return std::nullopt;
    }
    parse_expect(field{"the rules", root, root.Mark()}, rules);
    if (!errors_.empty()) return std::nullopt;
    return rules;
}

void file_loader::parse_isolation(const field& f, isolation& out) {
    static constexpr std::string_view expected = "one of: global, header NAME, query NAME, cookie NAME";
    auto s = text(f, expected);
    if (!s) return;
    std::string_view spec = *s;
    auto space = spec.find(' ');
    std::string_view kind = spec.substr(0, space);
    std::string_view name;
    if (space != std::string_view::npos) {
        name = spec.substr(space + 1);
        name.remove_prefix(std::min(name.find_first_not_of(' '), name.size()));
    }
    if (kind == "global" && space == std::string_view::npos) {
        out = {isolation::kind::global, {}};
        return;
    }
    isolation::kind by;
    if (kind == "header")
        by = isolation::kind::header;
    else if (kind == "query")
        by = isolation::kind::query;
    else if (kind == "cookie")
        by = isolation::kind::cookie;
    else
        return error(f, expected);
    if (name.empty()) {
        std::string message = f.label;
        message.append(" ").append(quote(kind)).append(" needs a name, as in '").append(kind).append(" X-Test-Id'");
        return error(f.mark, std::move(message));
    }
    // Header and cookie names are tokens (RFC 9110 §5.1, RFC 6265 §4.1.1); a query name has no spaces.
    bool valid = by == isolation::kind::query ? name.find_first_of(" \t") == std::string_view::npos : is_token(name);
    if (!valid) {
        std::string message = f.label;
        message.append(": ").append(quote(name)).append(" is not a valid ").append(kind).append(" name");
        return error(f.mark, std::move(message));
    }
    out = {by, std::string{name}};
}

void file_loader::parse_routes(const field& f, std::vector<route>& out) {
    if (!f.value.IsSequence()) return error(f, "a list of routes");
    routes_listed_ = true;
    if (f.value.size() == 0) return error(f, "a non-empty list of routes");
    for (const auto& item : f.value) out.push_back(parse_route(item));
}

route file_loader::parse_route(const YAML::Node& node) {
    route r;
    r.where = at(node.Mark());
    if (!node.IsMap()) {
        error(field{"a route", node, node.Mark()}, "a mapping with keys: " + join(route_keys));
        return r;
    }
    bool has_id = false, has_steps = false;
    peek_captures(node);
    for_each_entry(node, "a route", route_keys,
                   [&](const std::string& name, const YAML::Node& key, const YAML::Node& value) {
                       field f = make_field(quote(name), key, value);
                       if (name == "id") {
                           has_id = true;
                           f.label = "a route id";
                           auto id = plain_name(f);
                           if (!id) return;
                           r.id = *id;
                           auto [first, inserted] = route_ids_.emplace(*id, f.mark.line + 1);
                           if (!inserted) {
                               std::string message = "duplicate route id ";
                               message.append(quote(*id)).append(" (first declared at line ");
                               message.append(std::to_string(first->second)).append("); route ids must be unique");
                               error(f.mark, std::move(message));
                           }
                       } else if (name == "match") {
                           parse_match(f, r.match);
                       } else if (name == "priority") {
                           if (auto p = integer<int>(f, "an integer")) r.priority = *p;
                       } else if (name == "when_state") {
                           r.when_state = non_empty_text(f);
                       } else if (name == "steps") {
                           has_steps = true;
                           parse_steps(f, r.steps);
                       } else if (name == "limit") {
                           r.limit = parse_limit(f);
                       } else if (name == "then") {
                           static constexpr std::string_view expected = "one of: repeat-last, loop, pass, fail";
                           auto s = text(f, expected);
                           if (!s) return;
                           if (*s == "repeat-last")
                               r.then = then_mode::repeat_last;
                           else if (*s == "loop")
                               r.then = then_mode::loop;
                           else if (*s == "pass")
                               r.then = then_mode::pass;
                           else if (*s == "fail")
                               r.then = then_mode::fail;
                           else
                               error(f, expected);
                       }
                   });
    if (!has_id) error(node.Mark(), "a route needs an 'id'; expected a name of letters, digits, '.', '_' or '-'");
    if (!has_steps) error(node.Mark(), "a route needs 'steps'; expected a non-empty list of steps");
    r.fingerprint = fingerprint_of(node, r);
    return r;
}

void file_loader::parse_match(const field& f, route_match& out) {
    if (!f.value.IsMap()) return error(f, "a mapping with keys: " + join(match_keys));
    for_each_entry(
        f.value, "'match'", match_keys, [&](const std::string& name, const YAML::Node& key, const YAML::Node& value) {
            field sub = make_field(quote(name), key, value);
            if (name == "method") {
                parse_methods(sub, out.methods);
            } else if (name == "path") {
                out.path = parse_path(sub);
            } else if (name == "query" || name == "headers") {
                if (!value.IsMap()) return error(sub, "a mapping of names to value matchers");
                auto& list = name == "query" ? out.query : out.headers;
                std::string where = "'match.";
                where.append(name).append("'");
                for_each_pair(value, where, [&](const std::string& n, const YAML::Node& k, const YAML::Node& v) {
                    if (name == "headers" && !is_token(n)) {
                        std::string message = quote(n);
                        message.append(" is not a valid header name; expected a token such as X-Test-Id");
                        return error(k.Mark(), std::move(message));
                    }
                    if (n.empty()) return error(k.Mark(), "an empty query parameter name");
                    if (auto m = parse_value_matcher(make_field(quote(n), k, v))) list.emplace_back(n, std::move(*m));
                });
            } else if (name == "body") {
                parse_body_matcher(sub, out.body);
            }
        });
}

void file_loader::parse_methods(const field& f, std::vector<std::string>& out) {
    static constexpr std::string_view expected = "an HTTP method (a token such as GET) or a list of them";
    auto add = [&](const field& item) {
        auto s = text(item, expected);
        if (!s) return;
        if (!is_token(*s)) return error(item, expected);
        std::string method = to_upper(*s);
        if (std::find(out.begin(), out.end(), method) == out.end()) out.push_back(std::move(method));
    };
    if (f.value.IsSequence()) {
        if (f.value.size() == 0) return error(f, expected);
        for (const auto& item : f.value) add(field{"a method", item, item.Mark()});
    } else {
        add(f);
    }
}

std::optional<path_matcher> file_loader::parse_path(const field& f) {
    static constexpr std::string_view expected = "a path starting with '/', a pattern like /orders/{id}, or ~REGEX";
    auto s = text(f, expected);
    if (!s) return std::nullopt;
    path_matcher out;
    if (s->starts_with('~')) {
        out.how = path_matcher::kind::regex;
        out.text = s->substr(1);
        out.regex = regex(f, out.text);
        if (!out.regex) return std::nullopt;
        return out;
    }
    if (!s->starts_with('/')) {
        error(f, expected);
        return std::nullopt;
    }
    if (s->find_first_of("?#") != std::string::npos) {
        std::string message = f.label;
        message.append(" ").append(quote(*s)).append(" holds a query or fragment; expected only the path ");
        message.append("(match query parameters under 'query')");
        error(f.mark, std::move(message));
        return std::nullopt;
    }
    if (std::any_of(s->begin(), s->end(), [](unsigned char c) { return c <= 0x20 || c == 0x7f; })) {
        error(f, "a path without spaces or control characters");
        return std::nullopt;
    }
    out.text = *s;
    if (s->find_first_of("{}") == std::string::npos) return out;

    out.how = path_matcher::kind::pattern;
    std::set<std::string> captures;
    bool ok = true;
    std::string_view rest = *s;
    while (!rest.empty()) {
        auto slash = rest.find('/');
        std::string_view segment = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
        if (segment.empty()) continue;
        if (segment.find_first_of("{}") != std::string_view::npos) {
            bool whole = segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
            std::string_view capture = whole ? segment.substr(1, segment.size() - 2) : segment;
            if (!whole || !is_identifier(capture)) {
                std::string message = f.label;
                message.append(": segment ").append(quote(segment));
                message.append(" is not a capture; expected a whole segment {name} with a name of letters, digits");
                message.append(" and '_' (not starting with a digit)");
                error(f.mark, std::move(message));
                ok = false;
            } else if (!captures.emplace(capture).second) {
                std::string message = f.label;
                message.append(": capture ")
                    .append(quote(capture))
                    .append(" appears twice; capture names must be unique");
                error(f.mark, std::move(message));
                ok = false;
            }
        }
        out.segments.emplace_back(segment);
    }
    if (!ok) return std::nullopt;
    return out;
}

std::optional<value_matcher> file_loader::parse_value_matcher(const field& f) {
    auto s = text(f, "a value matcher: exact text, ~REGEX, * (present) or ! (absent)");
    if (!s) return std::nullopt;
    value_matcher out;
    if (*s == "*") {
        out.how = value_matcher::kind::present;
    } else if (*s == "!") {
        out.how = value_matcher::kind::absent;
    } else if (s->starts_with('~')) {
        out.how = value_matcher::kind::regex;
        out.text = s->substr(1);
        out.regex = regex(f, out.text);
        if (!out.regex) return std::nullopt;
    } else {
        out.text = *s;
    }
    return out;
}

void file_loader::parse_body_matcher(const field& f, body_matcher& out) {
    static const std::string expected = "a mapping with exactly one of: " + join(body_match_keys);
    if (!f.value.IsMap()) return error(f, expected);
    std::optional<std::string> chosen;
    for_each_entry(f.value, "'match.body'", body_match_keys,
                   [&](const std::string& name, const YAML::Node& key, const YAML::Node& value) {
                       if (chosen) {
                           std::string message = "'match.body' takes exactly one of: ";
                           message.append(join(body_match_keys)).append("; it already has ").append(quote(*chosen));
                           return error(key.Mark(), std::move(message));
                       }
                       chosen = name;
                       field sub = make_field(quote(name), key, value);
                       if (name == "json") {
                           out.how = body_matcher::kind::json;
                           if (auto j = json(sub)) out.json = std::move(*j);
                           return;
                       }
                       auto s = text(sub);
                       if (!s) return;
                       out.text = *s;
                       if (name == "contains") {
                           out.how = body_matcher::kind::contains;
                       } else if (name == "equals") {
                           out.how = body_matcher::kind::equals;
                       } else {
                           out.how = body_matcher::kind::regex;
                           out.regex = regex(sub, *s);
                       }
                   });
    if (!chosen && f.value.size() == 0) error(f, expected);
}

void file_loader::parse_expect(const field& f, std::vector<expect_rule>& out) {
    if (!f.value.IsSequence()) return error(f, "a list of expect rules");
    for (const auto& item : f.value)
        if (auto rule = parse_expect_rule(item)) out.push_back(std::move(*rule));
}

void file_loader::check_route_ref(const field& f, const std::string& id) {
    // Without a list of routes, every reference would be reported for nothing.
    if (!routes_listed_ || route_ids_.count(id)) return;
    std::string message = f.label;
    message.append(" names route ").append(quote(id)).append(", which this scenario does not have");
    if (!route_ids_.empty()) {
        message.append("; expected one of: ");
        bool first = true;
        for (const auto& [known, line] : route_ids_) {
            message.append(first ? "" : ", ").append(known);
            first = false;
        }
    }
    error(f.mark, std::move(message));
}

std::optional<expect_rule> file_loader::parse_expect_rule(const YAML::Node& node) {
    const auto checks = std::span{expect_keys}.subspan(1);  // the rule kinds, without "route"
    if (!node.IsMap()) {
        error(field{"an expect rule", node, node.Mark()}, "a mapping with one of: " + join(checks));
        return std::nullopt;
    }
    expect_rule rule;
    rule.where = at(node.Mark());
    std::optional<field> route_field, check;
    bool ok = true;
    for_each_entry(node, "an expect rule", expect_keys,
                   [&](const std::string& name, const YAML::Node& key, const YAML::Node& value) {
                       field f = make_field(quote(name), key, value);
                       if (name == "route") {
                           route_field.emplace(std::move(f));
                       } else if (check) {
                           std::string message = "an expect rule checks one thing; this one already has ";
                           message.append(check->label).append(" (write one rule per entry)");
                           error(key.Mark(), std::move(message));
                           ok = false;
                       } else {
                           check.emplace(std::move(f));
                       }
                   });
    if (!check) {
        error(node.Mark(), "an expect rule needs one of: " + join(checks));
        return std::nullopt;
    }
    const std::string& what = check->label;
    // for_each_entry took only known keys: the check is a row of the table.
    const auto& kind = *std::find_if(expect_rule_kinds.begin(), expect_rule_kinds.end(),
                                     [&what](const auto& k) { return what == quote(k.key); });
    rule.what = kind.what;
    const bool needs_route = kind.needs_route;
    if (needs_route && !route_field) {
        std::string message = "an expect rule with ";
        message.append(what).append(" needs a 'route'");
        error(node.Mark(), std::move(message));
        ok = false;
    } else if (!needs_route && route_field) {
        std::string message = "'route' does not apply to an expect rule with ";
        message.append(what).append("; expected only ").append(what);
        error(route_field->mark, std::move(message));
        ok = false;
    } else if (route_field) {
        route_field->label = "an expect rule's 'route'";
        if (auto id = plain_name(*route_field)) {
            rule.route = *id;
            check_route_ref(*route_field, *id);
        } else {
            ok = false;
        }
    }

    if (rule.what == expect_rule::kind::count) {
        static constexpr std::string_view expected = "an unsigned integer or {min: N, max: M}";
        if (check->value.IsMap()) {
            std::optional<std::uint64_t> min, max;
            for_each_entry(check->value, "'count'", count_keys,
                           [&](const std::string& name, const YAML::Node& key, const YAML::Node& value) {
                               auto n =
                                   integer<std::uint64_t>(make_field(quote(name), key, value), "an unsigned integer");
                               (name == "min" ? min : max) = n;
                               if (!n) ok = false;
                           });
            if (!ok) return std::nullopt;
            if (!min || !max) {
                error(check->mark, "'count' as a range needs both 'min' and 'max'");
                return std::nullopt;
            }
            if (*min > *max) {
                error(check->mark, "'count' has 'min' greater than 'max'; expected min <= max");
                return std::nullopt;
            }
            rule.min = *min;
            rule.max = *max;
        } else if (auto n = integer<std::uint64_t>(*check, expected)) {
            rule.min = rule.max = *n;
        } else {
            ok = false;
        }
    } else if (rule.what == expect_rule::kind::order) {
        if (!check->value.IsSequence() || check->value.size() == 0) {
            error(*check, "a non-empty list of route ids");
            return std::nullopt;
        }
        for (const auto& item : check->value) {
            field f{"an 'order' entry", item, item.Mark()};
            if (auto id = plain_name(f)) {
                check_route_ref(f, *id);
                rule.order.push_back(*id);
            } else {
                ok = false;
            }
        }
    } else if (rule.what == expect_rule::kind::tls && check->value.IsMap()) {
        // {version: TLSv1.3, client_certificate: true}: each fact compared whole, as the journal has it.
        for_each_entry(check->value, "'tls'", tls_rule_keys,
                       [&](const std::string& name, const YAML::Node& key, const YAML::Node& value) {
                           field f = make_field(quote(name), key, value);
                           auto given = name == "client_certificate" ? std::optional<std::string>{} : text(f);
                           if (name == "client_certificate") {
                               auto flag = value.IsScalar() ? core_bool(value.Scalar()) : std::nullopt;
                               if (!flag) error(f, "true or false (whether a client certificate was presented)");
                               if (flag) given = *flag ? "true" : "false";
                           }
                           if (given)
                               rule.tls.emplace_back(name, std::move(*given));
                           else
                               ok = false;
                       });
        if (check->value.size() == 0) {
            error(*check, "the facts to require, such as {version: TLSv1.3, client_certificate: true}, or true");
            ok = false;
        }
    } else {  // the rules that are switched on: `no_unmatched: true`, `tls: true`
        if (!must_be_true(*check)) ok = false;
    }
    if (!ok) return std::nullopt;
    return rule;
}

load_result load_scenario_text(std::string_view yaml, const std::string& file,
                               const std::optional<fs::path>& base_dir) {
    load_result result;
    file_loader loader{file, base_dir};
    if (auto loaded = loader.load(yaml)) result.scenarios.push_back(std::move(*loaded));
    result.errors = std::move(loader.errors());
    return result;
}

rules_result load_expect_rules(std::string_view yaml, const std::string& label) {
    rules_result result;
    file_loader loader{label, std::nullopt};
    if (auto rules = loader.load_rules(yaml)) result.rules = std::move(*rules);
    result.errors = std::move(loader.errors());
    return result;
}

}  // namespace teapot::detail::scenario

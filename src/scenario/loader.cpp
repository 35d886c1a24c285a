#include "scenario/loader.hpp"

#include "handlers/status_spec.hpp"
#include "scenario/file_loader.hpp"
#include "scenario/template.hpp"
#include "util/duration.hpp"
#include "util/field_syntax.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <boost/beast/core/detail/sha1.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <system_error>
#include <tuple>
#include <utility>

namespace teapot::detail::scenario {
namespace fs = std::filesystem;
namespace {

// A route's canonical text goes through SHA-1 as it is written: the text can be as large as the
// tree its aliases resolve to (32 MiB), and a reload only compares fingerprints for equality.
class canonical_digest {
public:
    canonical_digest() { boost::beast::detail::init(context_); }

    canonical_digest& append(std::string_view text) {
        pending_.append(text);
        if (pending_.size() >= 64 * 1024) flush();
        return *this;
    }

    /// The digest in hex; the object is spent afterwards.
    std::string finish() {
        flush();
        std::array<unsigned char, boost::beast::detail::sha1_context::digest_size> digest{};
        boost::beast::detail::finish(context_, digest.data());
        static constexpr char hex[] = "0123456789abcdef";
        std::string out;
        for (unsigned char byte : digest) out.append({hex[byte >> 4], hex[byte & 0xf]});
        return out;
    }

private:
    void flush() {
        boost::beast::detail::update(context_, pending_.data(), pending_.size());
        pending_.clear();
    }

    boost::beast::detail::sha1_context context_{};
    std::string pending_;
};

// The node's content, whatever its layout: flow and block styles write the same,
// comments vanish. A scalar keeps its tag, so "1" (quoted) and 1 stay apart.
// Bounded like json values (a recursive alias would never end): past the bounds
// the route is an error anyway, and its fingerprint just stops there.
void append_canonical(const YAML::Node& node, canonical_digest& out, int depth, std::size_t& budget) {
    if (depth > 64 || budget == 0) {
        out.append("...");
        return;
    }
    --budget;
    switch (node.Type()) {
        case YAML::NodeType::Scalar:
            out.append(node.Tag()).append(std::to_string(node.Scalar().size())).append(":").append(node.Scalar());
            return;
        case YAML::NodeType::Sequence:
            out.append("[");
            for (const auto& item : node) {
                append_canonical(item, out, depth + 1, budget);
                out.append(",");
            }
            out.append("]");
            return;
        case YAML::NodeType::Map:
            out.append("{");
            for (const auto& entry : node) {
                append_canonical(entry.first, out, depth + 1, budget);
                out.append("=");
                append_canonical(entry.second, out, depth + 1, budget);
                out.append(",");
            }
            out.append("}");
            return;
        default: out.append("~"); return;
    }
}

void add_body_hashes(const step& st, canonical_digest& out) {
    if (st.body) out.append(" ").append(std::to_string(std::hash<std::string_view>{}(st.body->view())));
    for (const auto& alt : st.one_of) add_body_hashes(alt.answer, out);
}

// See route::fingerprint.
std::string fingerprint_of(const YAML::Node& node, const route& r) {
    canonical_digest out;
    std::size_t budget = 200'000;  // nodes: twice what json values may hold
    append_canonical(node, out, 0, budget);
    out.append(" bodies:");
    for (const auto& st : r.steps) add_body_hashes(st, out);
    if (r.limit) add_body_hashes(r.limit->reject, out);
    return out.finish();
}

// Aliases let a few lines of YAML stand for millions of nodes ("billion laughs": 2.6 KB took
// 700 MB and 13 s under ASan; fuzz/regressions/scenario_loader/alias-bomb-*), or for a cycle
// (`&a [*a]`). Everything after this walks the tree with aliases resolved (the model, each
// json value, each route's fingerprint), and the per-value caps did not bound a file with
// many of them: the resolved size is measured first, and bounded.
constexpr std::size_t max_resolved_nodes = 500'000;
constexpr std::size_t max_resolved_scalar_bytes = 2 * max_scenario_file_size;
// Aliases also nest: `&a1 [*a0]`, `&a2 [*a1]`... is one level per line, however deep yaml-cpp
// lets a text nest (2000). Far above what a scenario needs (json values stop at 64).
constexpr int max_resolved_depth = 1000;

struct resolved_size {
    std::size_t nodes = 0;
    std::size_t bytes = 0;  ///< of scalars
};

// Measures each distinct collection once: an alias is its anchor's own node (same mark), so
// the cost is linear in the text, not in what it resolves to (walking the resolution took
// 15 s under ASan for a 200-byte mapping that contains itself; fuzz/regressions/scenario_loader/
// alias-cycle-in-map.yaml).
class resolution_meter {
public:
    /// Nothing when the tree resolves past the bounds, or endlessly (an alias inside its own anchor).
    std::optional<resolved_size> measure(const YAML::Node& node, int depth = 0) {
        if (depth > max_resolved_depth) return std::nullopt;
        if (node.IsScalar()) return resolved_size{1, node.Scalar().size()};
        if (!node.IsSequence() && !node.IsMap()) return resolved_size{1, 0};
        const auto key = std::tuple{node.Mark().pos, node.Mark().line, node.Mark().column, node.IsMap()};
        auto [at, first] = measured_.try_emplace(key);
        if (!first) return at->second;  // measured already, or being measured (a cycle: nothing)
        resolved_size total{1, 0};
        auto add = [&](const YAML::Node& child) {
            auto size = measure(child, depth + 1);
            if (!size) return false;
            total.nodes += size->nodes;
            total.bytes += size->bytes;
            return total.nodes <= max_resolved_nodes && total.bytes <= max_resolved_scalar_bytes;
        };
        bool within = true;
        if (node.IsSequence()) {
            for (auto it = node.begin(); within && it != node.end(); ++it) within = add(*it);
        } else {
            for (auto it = node.begin(); within && it != node.end(); ++it) within = add(it->first) && add(it->second);
        }
        if (!within) return std::nullopt;  // the entry stays empty: a later alias of it is refused at once
        at->second = total;
        return total;
    }

private:
    std::map<std::tuple<int, int, int, bool>, std::optional<resolved_size>> measured_;
};

// What holding a scenario costs (scenario::resolved_bytes, counted against --max-scenario-bytes):
// its resolved tree's scalar bytes and a charge per node for what each becomes (a header field,
// a query matcher, a json value...), plus the fixed size of each route, step, alternative and
// compiled template. At least the heap a copy of the scenario takes, for every shape measured
// (docs/reliability.md: from 0.13 of the charge for json bodies, serialized at load, to 0.998).
constexpr std::size_t bytes_per_node = 48;

std::size_t template_bytes(const compiled_template& t) {
    return sizeof(t) + t.source().size() + t.segments().size() * sizeof(compiled_template::segment);
}

std::size_t step_bytes(const step& st) {
    std::size_t n = sizeof(step);
    if (st.body_template) n += template_bytes(*st.body_template);
    for (const auto& t : st.header_templates) n += template_bytes(t);
    for (const auto& alt : st.one_of) n += step_bytes(alt.answer);
    return n;
}

std::size_t charge(const resolved_size& size, const scenario& sc) {
    std::size_t n = size.bytes + size.nodes * bytes_per_node;
    for (const auto& r : sc.routes) {
        n += sizeof(route);
        for (const auto& st : r.steps) n += step_bytes(st);
        if (r.limit) n += step_bytes(r.limit->reject);
    }
    return n;
}

const std::string too_large_message =
    "with its aliases (*name) resolved, this text is more than " + std::to_string(max_resolved_nodes) + " nodes, " +
    std::to_string(max_resolved_scalar_bytes / (1024 * 1024)) + " MiB of text or " +
    std::to_string(max_resolved_depth) + " levels, or endless; expected a scenario that uses aliases sparingly";

// yaml-cpp stops at about 500 levels with "bad file" and a mark past the end of the line;
// counted here, the error says what is wrong and where. Nothing valid nests this deep: json
// values stop at 64 levels, and a scenario's own keys take 8.
constexpr int max_text_depth = 256;

// Thrown from the event handler, through yaml-cpp, at the collection one level too deep.
struct nested_too_deep {
    YAML::Mark mark;
};

const std::string too_deep_message = "the YAML nests deeper than " + std::to_string(max_text_depth) +
                                     " levels (lists and mappings, [ ], { } or indented, inside one another); "
                                     "expected a scenario a few levels deep";

// Where each document of a stream starts, and where its first node is; throws
// nested_too_deep past max_text_depth.
class document_marks final : public YAML::EventHandler {
public:
    std::vector<YAML::Mark> starts;  ///< the token each document starts at
    std::vector<YAML::Mark> nodes;   ///< each document's root node (its mark in YAML::Node)

    void OnDocumentStart(const YAML::Mark& mark) override { starts.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override {
        node(mark);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        open(mark);
    }
    void OnSequenceEnd() override { --depth_; }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
        open(mark);
    }
    void OnMapEnd() override { --depth_; }

private:
    void node(const YAML::Mark& mark) {
        if (nodes.size() < starts.size()) nodes.push_back(mark);
    }
    void open(const YAML::Mark& mark) {
        node(mark);
        if (++depth_ > max_text_depth) throw nested_too_deep{mark};
    }
    int depth_ = 0;
};

// YAML 1.2 §5.1 allows no NUL in a stream, and yaml-cpp misreads one: an "unknown escape
// character" somewhere else, a NUL kept in a quoted string, or, as the first byte, the sign of
// UTF-16 text. Where the first one is, or nothing.
std::optional<YAML::Mark> first_nul(std::string_view yaml) {
    const auto at = yaml.find('\0');
    if (at == std::string_view::npos) return std::nullopt;
    const auto line_start = yaml.rfind('\n', at);
    YAML::Mark mark;
    mark.pos = static_cast<int>(at);
    mark.line = static_cast<int>(std::count(yaml.begin(), yaml.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    mark.column = static_cast<int>(line_start == std::string_view::npos ? at : at - line_start - 1);
    return mark;
}

const std::string nul_message =
    "the text holds a NUL byte (0x00); YAML text cannot hold one: write \\0 inside a double-quoted string";

}  // namespace

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
    static constexpr std::array<std::string_view, 5> checks{"count", "honors_retry_after", "order", "no_unmatched",
                                                            "all_steps_used"};
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
    bool needs_route = what == "'count'" || what == "'honors_retry_after'";
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

    if (what == "'count'") {
        rule.what = expect_rule::kind::count;
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
    } else if (what == "'order'") {
        rule.what = expect_rule::kind::order;
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
    } else {
        rule.what = what == "'honors_retry_after'" ? expect_rule::kind::honors_retry_after
                    : what == "'no_unmatched'"     ? expect_rule::kind::no_unmatched
                                                   : expect_rule::kind::all_steps_used;
        if (!must_be_true(*check)) ok = false;
    }
    if (!ok) return std::nullopt;
    return rule;
}

namespace {

// An error about a whole file or directory: no line to point at.
load_error path_error(const std::string& path, std::string message) {
    load_error e;
    e.where.file = path;
    e.message = std::move(message);
    return e;
}

struct loaded_file {
    scenario value;
    source_location name_where;
};

std::optional<loaded_file> load_file(const fs::path& path, std::vector<load_error>& errors) {
    const std::string label = path.string();
    std::error_code ec;
    if (auto size = fs::file_size(path, ec); !ec && size > max_scenario_file_size) {
        errors.push_back(path_error(label, "this file is larger than 16 MiB; expected a scenario file"));
        return std::nullopt;
    }
    std::ifstream in{path, std::ios::binary};
    std::string text;
    if (in.is_open()) text.assign(std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{});
    if (!in.is_open() || in.bad()) {
        errors.push_back(path_error(label, "cannot read this scenario file (check that it exists and is readable)"));
        return std::nullopt;
    }
    file_loader loader{label, path.parent_path()};
    auto loaded = loader.load(text);
    auto& found = loader.errors();
    errors.insert(errors.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    if (!loaded) return std::nullopt;
    return loaded_file{std::move(*loaded), loader.name_where()};
}

bool is_scenario_file_name(const fs::path& p) {
    auto ext = p.extension();
    return ext == ".yaml" || ext == ".yml";
}

}  // namespace

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

load_result load_scenario_paths(const std::vector<std::string>& paths) {
    load_result result;
    std::vector<fs::path> files;
    for (const auto& given : paths) {
        const fs::path path{given};
        std::error_code ec;
        auto status = fs::status(path, ec);
        if (!fs::exists(status)) {
            result.errors.push_back(path_error(
                given, "no such file or directory; expected a scenario file or a directory of *.yaml and *.yml files"));
            continue;
        }
        if (fs::is_regular_file(status)) {
            files.push_back(path);
            continue;
        }
        if (!fs::is_directory(status)) {
            result.errors.push_back(path_error(given, "neither a file nor a directory; expected a scenario file"));
            continue;
        }
        std::vector<fs::path> in_dir;
        fs::directory_iterator it{path, ec}, end;
        for (; !ec && it != end; it.increment(ec)) {
            std::error_code entry_ec;
            if (is_scenario_file_name(it->path()) && it->is_regular_file(entry_ec)) in_dir.push_back(it->path());
        }
        if (ec) {
            std::string message = "cannot list this directory: ";
            message.append(ec.message());
            result.errors.push_back(path_error(given, std::move(message)));
            continue;
        }
        std::sort(in_dir.begin(), in_dir.end(),
                  [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
        files.insert(files.end(), in_dir.begin(), in_dir.end());
    }

    // The same file named twice (itself and through its directory) is loaded once.
    std::set<fs::path> seen;
    std::map<std::string, std::string> owner;  // scenario name → the file that declared it first
    for (const auto& file : files) {
        std::error_code ec;
        auto canonical = fs::weakly_canonical(file, ec);
        if (!seen.insert(ec ? file : canonical).second) continue;
        auto loaded = load_file(file, result.errors);
        if (!loaded) continue;
        auto [first, inserted] = owner.emplace(loaded->value.name, loaded->value.file);
        if (!inserted) {
            std::string message = "scenario name ";
            message.append(quote(loaded->value.name)).append(" is already used by ").append(first->second);
            message.append("; expected a name unique across all scenario files");
            result.errors.push_back({loaded->name_where, std::move(message)});
            continue;
        }
        result.scenarios.push_back(std::move(loaded->value));
    }

    if (!result.errors.empty()) {
        result.scenarios.clear();
        return result;
    }
    std::sort(result.scenarios.begin(), result.scenarios.end(),
              [](const scenario& a, const scenario& b) { return a.name < b.name; });
    return result;
}

}  // namespace teapot::detail::scenario

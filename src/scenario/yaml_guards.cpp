#include "scenario/yaml_guards.hpp"

#include "scenario/file_loader.hpp"
#include "scenario/template.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

namespace teapot::detail::scenario {
namespace {

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

}  // namespace

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

std::optional<resolved_size> resolution_meter::measure(const YAML::Node& node, int depth) {
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

// yaml-cpp stops at about 500 levels with "bad file" and a mark past the end of the line;
// counted here, the error says what is wrong and where. Nothing valid nests this deep: json
// values stop at 64 levels, and a scenario's own keys take 8.
constexpr int max_text_depth = 256;

void document_marks::open(const YAML::Mark& mark) {
    node(mark);
    if (++depth_ > max_text_depth) throw nested_too_deep{mark};
}

const std::string too_deep_message = "the YAML nests deeper than " + std::to_string(max_text_depth) +
                                     " levels (lists and mappings, [ ], { } or indented, inside one another); "
                                     "expected a scenario a few levels deep";

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

}  // namespace teapot::detail::scenario

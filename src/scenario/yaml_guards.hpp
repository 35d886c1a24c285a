#pragma once
// What a YAML text may cost before the loader reads it, and what the scenario
// read from it costs to hold: no NUL byte, a bounded nesting depth, aliases
// whose resolved tree is measured and bounded ("billion laughs"), and the
// charge against --max-scenario-bytes.

#include "scenario/model.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/node/node.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace teapot::detail::scenario {

struct resolved_size {
    std::size_t nodes = 0;
    std::size_t bytes = 0;  ///< of scalars
};

/// Measures each distinct collection once: an alias is its anchor's own node (same mark), so
/// the cost is linear in the text, not in what it resolves to (walking the resolution took
/// 15 s under ASan for a 200-byte mapping that contains itself; fuzz/regressions/scenario_loader/
/// alias-cycle-in-map.yaml).
class resolution_meter {
public:
    /// Nothing when the tree resolves past the bounds, or endlessly (an alias inside its own anchor).
    std::optional<resolved_size> measure(const YAML::Node& node, int depth = 0);

private:
    std::map<std::tuple<int, int, int, bool>, std::optional<resolved_size>> measured_;
};

/// The error when resolution_meter finds nothing: past which bounds, and what to do.
extern const std::string too_large_message;

/// What holding `sc` costs (scenario::resolved_bytes), from its resolved tree's size.
std::size_t charge(const resolved_size& size, const scenario& sc);

/// Thrown from document_marks, through yaml-cpp, at the collection one level too deep.
struct nested_too_deep {
    YAML::Mark mark;
};
extern const std::string too_deep_message;

/// Where each document of a stream starts, and where its first node is; throws
/// nested_too_deep past the depth a scenario may nest.
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
    void open(const YAML::Mark& mark);
    int depth_ = 0;
};

/// YAML 1.2 §5.1 allows no NUL in a stream, and yaml-cpp misreads one: an "unknown escape
/// character" somewhere else, a NUL kept in a quoted string, or, as the first byte, the sign of
/// UTF-16 text. Where the first one is, or nothing.
std::optional<YAML::Mark> first_nul(std::string_view yaml);
extern const std::string nul_message;

}  // namespace teapot::detail::scenario

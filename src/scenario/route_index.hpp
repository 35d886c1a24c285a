#pragma once
// Which routes a request's path can match, found without testing every route:
// exact paths in a hash map, patterns ("/orders/{id}") in a tree of segments,
// and the rest (a regex, or no path) for every request. A scenario of 1 000
// routes then costs a request what a small one does (docs/design.md).

#include "scenario/matcher.hpp"
#include "scenario/model.hpp"

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace teapot::detail::scenario {

class route_index {
public:
    /// Adds the route at `position` (its place in matching order), matching `path`
    /// (null: any path). Positions are added in increasing order.
    void add(std::size_t position, const path_matcher* path);

    /// The positions of the routes whose path matches `subject`'s, plus those
    /// matching any path, in increasing order. Every other route fails on its path.
    std::vector<std::size_t> candidates(const match_subject& subject) const;

private:
    struct pattern_node {
        std::unordered_map<std::string, std::unique_ptr<pattern_node>> literal;
        std::unique_ptr<pattern_node> capture;  ///< "{name}": any non-empty segment
        std::vector<std::size_t> routes;        ///< patterns ending here
    };
    static void collect(const pattern_node& node, const std::vector<std::string>& segments, std::size_t depth,
                        std::vector<std::size_t>& out);

    std::unordered_map<std::string, std::vector<std::size_t>> exact_;
    pattern_node patterns_;
    std::vector<std::size_t> any_path_;
};

}  // namespace teapot::detail::scenario

#include "scenario/route_index.hpp"

#include <algorithm>

namespace teapot::detail::scenario {
namespace {

bool is_capture(const std::string& segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void route_index::add(std::size_t position, const path_matcher* path) {
    if (!path || path->how == path_matcher::kind::regex) {
        any_path_.push_back(position);
    } else if (path->how == path_matcher::kind::exact) {
        exact_[path->text].push_back(position);
    } else {
        pattern_node* node = &patterns_;
        for (const auto& segment : path->segments) {
            auto& next = is_capture(segment) ? node->capture : node->literal[segment];
            if (!next) next = std::make_unique<pattern_node>();
            node = next.get();
        }
        node->routes.push_back(position);
    }
}

// The same test as the matcher's: a literal segment is equal, a capture takes one non-empty segment.
void route_index::collect(const pattern_node& node, const std::vector<std::string>& segments, std::size_t depth,
                          std::vector<std::size_t>& out) {
    if (depth == segments.size()) {
        out.insert(out.end(), node.routes.begin(), node.routes.end());
        return;
    }
    const auto& segment = segments[depth];
    if (auto it = node.literal.find(segment); it != node.literal.end()) collect(*it->second, segments, depth + 1, out);
    if (node.capture && !segment.empty()) collect(*node.capture, segments, depth + 1, out);
}

std::vector<std::size_t> route_index::candidates(const match_subject& subject) const {
    std::vector<std::size_t> out = any_path_;
    if (subject.target_valid()) {
        if (auto it = exact_.find(subject.path()); it != exact_.end())
            out.insert(out.end(), it->second.begin(), it->second.end());
        collect(patterns_, subject.segments(), 0, out);
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace teapot::detail::scenario

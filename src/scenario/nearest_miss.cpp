#include "scenario/nearest_miss.hpp"

#include <algorithm>

namespace teapot::detail::scenario {
namespace {

// The first position of `list` not in `excluded` (both ascending), if any.
std::optional<std::size_t> first_not_in(const std::vector<std::size_t>& list,
                                        const std::vector<std::size_t>& excluded) {
    for (auto pos : list)
        if (!std::binary_search(excluded.begin(), excluded.end(), pos)) return pos;
    return std::nullopt;
}

}  // namespace

void method_index::add(std::size_t position, const std::vector<std::string>& methods) {
    if (methods.empty()) any_method_.push_back(position);
    for (const auto& m : methods) by_method_[m].push_back(position);
}

std::optional<std::pair<int, std::size_t>> method_index::nearest_outside(const std::vector<std::size_t>& candidates,
                                                                         std::string_view method,
                                                                         std::size_t routes) const {
    std::optional<std::size_t> fits = first_not_in(any_method_, candidates);
    auto consider = [&](std::string_view name) {
        if (auto it = by_method_.find(std::string{name}); it != by_method_.end())
            if (auto pos = first_not_in(it->second, candidates); pos && (!fits || *pos < *fits)) fits = pos;
    };
    consider(method);
    if (method == "HEAD") consider("GET");  // HEAD counts as GET (matcher.hpp)
    if (fits) return std::pair{2, *fits};
    for (std::size_t pos = 0; pos < routes; ++pos)
        if (!std::binary_search(candidates.begin(), candidates.end(), pos)) return std::pair{0, pos};
    return std::nullopt;
}

}  // namespace teapot::detail::scenario

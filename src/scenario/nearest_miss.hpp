#pragma once
// The nearest miss, for a 404 when no scenario route answered: the route that
// came closest, and why it did not match ("route list-orders of flaky-orders:
// method POST is not GET"). Nearness: two for each criterion passed, three for a
// path that matched with the wrong method, more for a route that matched but
// refused (its state, its used-up steps); the first in matching order wins a tie.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace teapot::detail::scenario {

/// The best candidate so far. Its sentence is kept only when the caller had it at
/// hand: a miss costs no string, and the winner's is written once, at the end.
class nearest_miss {
public:
    void consider(int nearness, std::size_t position, std::optional<std::string> why) {
        if (nearness < best_ || (nearness == best_ && position > position_)) return;
        best_ = nearness;
        position_ = position;
        why_ = std::move(why);
    }
    bool found() const noexcept { return best_ >= 0; }
    std::size_t position() const noexcept { return position_; }
    std::optional<std::string>& why() noexcept { return why_; }

private:
    int best_ = -1;
    std::size_t position_ = 0;
    std::optional<std::string> why_;
};

/// The routes by the methods they take (positions in matching order), so that the
/// nearest miss among the routes a path index rules out is found without looking at
/// each of them.
class method_index {
public:
    /// Route at `position` (added in ascending order) takes `methods` (empty: any).
    void add(std::size_t position, const std::vector<std::string>& methods);

    /// The nearest among the `routes` positions outside `candidates` (ascending): they
    /// fail on their path, so their nearness is their method's alone, as the matcher
    /// counts it (2 when it fits, else 0). HEAD counts as GET.
    std::optional<std::pair<int, std::size_t>> nearest_outside(const std::vector<std::size_t>& candidates,
                                                               std::string_view method, std::size_t routes) const;

private:
    std::unordered_map<std::string, std::vector<std::size_t>> by_method_;
    std::vector<std::size_t> any_method_;
};

}  // namespace teapot::detail::scenario

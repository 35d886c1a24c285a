#include "scenario/carry_over.hpp"

#include <algorithm>

namespace teapot::detail::scenario {

std::vector<std::optional<std::size_t>> continued_routes(const scenario& previous,
                                                         const std::vector<std::uint64_t>& previous_seeds,
                                                         const scenario& next,
                                                         const std::vector<std::uint64_t>& next_seeds,
                                                         reload_changes::scenario_changes& report) {
    std::vector<std::optional<std::size_t>> kept(next.routes.size());
    std::vector<bool> continued(previous.routes.size(), false);
    for (std::size_t ri = 0; ri < next.routes.size(); ++ri) {
        const auto& r = next.routes[ri];
        auto old =
            std::find_if(previous.routes.begin(), previous.routes.end(), [&r](const route& p) { return p.id == r.id; });
        if (old == previous.routes.end()) {
            report.added.push_back(r.id);
            continue;
        }
        const auto pri = static_cast<std::size_t>(old - previous.routes.begin());
        continued[pri] = true;
        if (old->fingerprint == r.fingerprint && previous_seeds[pri] == next_seeds[ri])
            kept[ri] = pri;
        else
            report.changed.push_back(r.id);
    }
    for (std::size_t pri = 0; pri < previous.routes.size(); ++pri)
        if (!continued[pri]) report.removed.push_back(previous.routes[pri].id);
    return kept;
}

bool same_isolation(const isolation& a, const isolation& b) { return a.by == b.by && a.name == b.name; }

session carried_session(session& old, std::size_t routes, const std::vector<std::optional<std::size_t>>& kept) {
    session next{old.key, std::vector<route_state>(routes), old.state, old.last_used};
    for (std::size_t i = 0; i < routes; ++i)
        if (kept[i]) next.routes[i] = std::move(old.routes[*kept[i]]);
    return next;
}

}  // namespace teapot::detail::scenario

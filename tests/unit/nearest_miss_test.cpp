// The nearest miss of a 404: the best candidate, and the routes a path rules out.

#include <catch2/catch.hpp>

#include "scenario/nearest_miss.hpp"

#include <string>
#include <utility>
#include <vector>

namespace sc = teapot::detail::scenario;

TEST_CASE("nearest miss: the highest nearness, the first in matching order on a tie", "[nearest_miss]") {
    sc::nearest_miss best;
    CHECK_FALSE(best.found());
    best.consider(2, 3, std::string{"method"});
    best.consider(2, 5, std::string{"later, same nearness"});
    CHECK(best.position() == 3);
    best.consider(4, 7, std::nullopt);
    CHECK(best.position() == 7);
    CHECK_FALSE(best.why());  // written at the end, for the winner only
    best.consider(4, 1, std::string{"earlier"});
    CHECK(best.position() == 1);
    CHECK(best.why() == "earlier");
}

TEST_CASE("nearest miss: among routes a path rules out, one whose method fits comes first", "[nearest_miss]") {
    sc::method_index index;
    index.add(0, {"GET"});
    index.add(1, {"POST"});
    index.add(2, {});  // any method
    index.add(3, {"GET", "PUT"});
    const std::vector<std::size_t> none;
    CHECK(index.nearest_outside(none, "POST", 4) == std::pair{2, std::size_t{1}});
    CHECK(index.nearest_outside(none, "GET", 4) == std::pair{2, std::size_t{0}});
    CHECK(index.nearest_outside(none, "HEAD", 4) == std::pair{2, std::size_t{0}});  // HEAD counts as GET
    CHECK(index.nearest_outside({0, 2}, "GET", 4) == std::pair{2, std::size_t{3}});
    CHECK(index.nearest_outside({2}, "DELETE", 4) == std::pair{0, std::size_t{0}});  // none fits: the first left
    CHECK_FALSE(index.nearest_outside({0, 1, 2, 3}, "GET", 4));                      // every route was a candidate
}

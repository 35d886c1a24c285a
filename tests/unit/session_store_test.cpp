// The sessions of one scenario: the global one, keyed ones with LRU and TTL, and
// the cursor that walks a route's steps.

#include <catch2/catch.hpp>

#include "scenario/session_store.hpp"

#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace sc = teapot::detail::scenario;

namespace {

std::vector<std::string> keys_of(const sc::session_store& store) {
    std::vector<std::string> keys;
    for (const auto& s : store.keyed()) keys.push_back(s.key);
    return keys;
}

sc::route route_of(std::vector<std::optional<std::uint64_t>> times, sc::then_mode then) {
    sc::route r;
    for (auto t : times) {
        sc::step s;
        s.times = t;
        r.steps.push_back(s);
    }
    r.then = then;
    return r;
}

}  // namespace

TEST_CASE("session store: the global session for no key, keyed ones made on demand", "[session_store]") {
    sc::session_store store{3};
    const auto now = sc::session_store::clock::now();
    CHECK(store.find("", false, now, 10) == &store.global());
    CHECK(store.global().routes.size() == 3);
    CHECK(store.find("a", false, now, 10) == nullptr);  // looked up, not made
    auto* a = store.find("a", true, now, 10);
    REQUIRE(a != nullptr);
    CHECK(a->key == "a");
    CHECK(a->routes.size() == 3);
    CHECK(store.find("a", false, now, 10) == a);
}

TEST_CASE("session store: the least recently used goes at the cap, a lookup touches", "[session_store]") {
    sc::session_store store{1};
    const auto now = sc::session_store::clock::now();
    store.find("a", true, now, 2);
    store.find("b", true, now, 2);
    CHECK(keys_of(store) == std::vector<std::string>{"b", "a"});
    store.find("a", false, now, 2);  // a is the most recently used now
    store.find("c", true, now, 2);   // b goes
    CHECK(keys_of(store) == std::vector<std::string>{"c", "a"});
    CHECK(store.find("b", false, now, 2) == nullptr);
}

TEST_CASE("session store: idle sessions expire, the global one never", "[session_store]") {
    sc::session_store store{1};
    const auto t0 = sc::session_store::clock::now();
    store.find("old", true, t0, 10);
    store.find("new", true, t0 + 5s, 10);
    store.global().state = std::string{"kept"};
    store.expire(t0 + 8s, 5s);  // old is 8 s idle, new 3 s
    CHECK(keys_of(store) == std::vector<std::string>{"new"});
    CHECK(store.global().state == "kept");
}

TEST_CASE("session store: forget one, clear all, carry in order", "[session_store]") {
    sc::session_store store{1};
    const auto now = sc::session_store::clock::now();
    // Named states built whole and moved in: g++ 12 warns (-Wrestrict, a false positive) on assigning a literal.
    store.find("a", true, now, 10)->state = std::string{"x"};
    store.find("b", true, now, 10);
    store.global().state = std::string{"g"};
    store.forget("a");
    CHECK(keys_of(store) == std::vector<std::string>{"b"});
    store.forget("");  // "" is the global session: started over, not removed
    CHECK_FALSE(store.global().state);
    store.clear();
    CHECK(store.keyed().empty());

    sc::session_store next{1};
    for (const char* key : {"", "m", "n"}) next.carry(sc::session{key, std::vector<sc::route_state>(1), key, now});
    CHECK(next.global().state == "");
    CHECK(keys_of(next) == std::vector<std::string>{"m", "n"});  // most recently used first, as carried
    CHECK(next.find("n", false, now, 10) != nullptr);            // carried sessions are found by key
}

TEST_CASE("cursor: times counts a step's answers, times: 0 is stepped over, then decides the end", "[session_store]") {
    auto r = route_of({2, 0, 1}, sc::then_mode::loop);
    sc::cursor c;
    sc::advance(c, r);  // past step 0
    CHECK(c.index == 1);
    sc::skip_empty_steps(c, r);  // step 1 answers nothing
    CHECK(c.index == 2);
    sc::advance(c, r);  // loop: back to the first
    CHECK(c.index == 0);
    CHECK_FALSE(c.done);

    auto once = route_of({1}, sc::then_mode::repeat_last);
    sc::cursor d;
    sc::advance(d, once);
    CHECK(d.done);
    CHECK(d.index == 0);  // the last step keeps answering

    auto empty = route_of({0, 0}, sc::then_mode::loop);
    sc::cursor e;
    sc::skip_empty_steps(e, empty);  // a full lap of times: 0 ends it, rather than looping forever
    CHECK(e.done);
}

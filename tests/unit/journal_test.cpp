// The journal's ring: bounded, oldest first, ids in order, completion by id,
// erase and clear, and the slots it hands back for reuse.

#include "admin/journal.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <vector>

using namespace teapot::detail;

namespace {

std::uint64_t record_path(journal& j, const std::string& path) {
    auto e = std::make_unique<journal_entry>();
    e->path = path;
    return j.record(e);
}

std::vector<std::string> paths(const journal& j, const journal_filter& f = {}) {
    std::vector<std::string> out;
    for (const auto& e : j.entries(f)) out.push_back(e.path);
    return out;
}

}  // namespace

TEST_CASE("journal: a bounded ring, oldest first, counting what it drops", "[journal]") {
    journal j{3};
    for (const auto* p : {"/a", "/b", "/c", "/d", "/e"}) record_path(j, p);
    CHECK(paths(j) == std::vector<std::string>{"/c", "/d", "/e"});
    CHECK(j.size() == 3);
    CHECK(j.dropped() == 2);
    std::vector<std::uint64_t> ids;
    for (const auto& e : j.entries({})) ids.push_back(e.id);
    CHECK(ids == std::vector<std::uint64_t>{3, 4, 5});
}

TEST_CASE("journal: completion finds an entry by id, wherever the ring stands", "[journal]") {
    journal j{3};
    for (const auto* p : {"/a", "/b", "/c", "/d"}) record_path(j, p);  // wrapped once
    const auto now = std::chrono::system_clock::now();
    j.complete(3, 204, now, now);
    j.complete(1, 500, now, now);  // gone from the ring: nothing happens
    auto entries = j.entries({});
    REQUIRE(entries.size() == 3);
    CHECK(entries[1].id == 3);
    CHECK(entries[1].status == 204);
    CHECK(entries[1].done.has_value());
    CHECK_FALSE(entries[0].done.has_value());
    CHECK(j.count_served({}) == 1);
}

TEST_CASE("journal: erase keeps the others in order, clear empties it, ids go on", "[journal]") {
    journal j{4};
    for (const auto* p : {"/a", "/b", "/a", "/c", "/a"}) record_path(j, p);  // ring: /b /a /c /a
    journal_filter only_a;
    only_a.path = "/a";
    j.erase(only_a);
    CHECK(paths(j) == std::vector<std::string>{"/b", "/c"});
    record_path(j, "/d");
    CHECK(paths(j) == std::vector<std::string>{"/b", "/c", "/d"});
    const auto now = std::chrono::system_clock::now();
    j.complete(6, 200, now, now);  // found after the erase moved things
    CHECK(j.count_served({}) == 1);
    j.complete(4, 201, now, now);  // behind the gap: not where its distance from the newest says
    j.complete(3, 500, now, now);  // erased: nothing happens
    auto entries = j.entries({});
    REQUIRE(entries.size() == 3);
    CHECK(entries[1].id == 4);
    CHECK(entries[1].status == 201);
    CHECK(j.count_served({}) == 2);

    j.clear();
    CHECK(j.size() == 0);
    CHECK(record_path(j, "/e") == 7);
    CHECK(paths(j) == std::vector<std::string>{"/e"});
}

TEST_CASE("journal: record hands back an old entry for reuse, capacity 0 keeps nothing", "[journal]") {
    journal j{1};
    auto e = std::make_unique<journal_entry>();
    e->path = "/first";
    j.record(e);
    CHECK(e == nullptr);  // the ring grew: nothing to give back
    e = std::make_unique<journal_entry>();
    e->path = "/second";
    j.record(e);
    REQUIRE(e != nullptr);
    CHECK(e->path == "/first");  // the evicted entry, its storage to fill again
    CHECK(paths(j) == std::vector<std::string>{"/second"});

    journal off{0};
    record_path(off, "/x");
    CHECK(off.size() == 0);
    CHECK(off.dropped() == 1);
}

TEST_CASE("journal: filters select by session and since", "[journal]") {
    journal j{2};
    for (int i = 0; i < 3; ++i) {
        auto e = std::make_unique<journal_entry>();
        e->path = "/p" + std::to_string(i);
        e->sessions = {i == 2 ? "b" : "a"};
        j.record(e);
    }
    auto all = j.entries({});
    REQUIRE(all.size() == 2);
    CHECK(all[0].id == 2);
    CHECK(all[1].id == 3);
    CHECK(j.dropped() == 1);
    journal_filter by_session;
    by_session.session = "b";
    CHECK(j.entries(by_session).size() == 1);
    journal_filter since;
    since.since = 2;
    CHECK(j.entries(since).size() == 1);
    j.clear();
    CHECK(j.entries({}).empty());
}

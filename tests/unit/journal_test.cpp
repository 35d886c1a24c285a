// The journal's ring: bounded, oldest first, ids in order, completion by id,
// erase and clear, and the slots it hands back for reuse.

#include "journal/journal.hpp"

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
    journal j{{.entries = 3}};
    for (const auto* p : {"/a", "/b", "/c", "/d", "/e"}) record_path(j, p);
    CHECK(paths(j) == std::vector<std::string>{"/c", "/d", "/e"});
    CHECK(j.size() == 3);
    CHECK(j.dropped() == 2);
    std::vector<std::uint64_t> ids;
    for (const auto& e : j.entries({})) ids.push_back(e.id);
    CHECK(ids == std::vector<std::uint64_t>{3, 4, 5});
}

TEST_CASE("journal: completion finds an entry by id, wherever the ring stands", "[journal]") {
    journal j{{.entries = 3}};
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
    journal j{{.entries = 4}};
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
    journal j{{.entries = 1}};
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

    journal off{{.entries = 0}};
    record_path(off, "/x");
    CHECK(off.size() == 0);
    CHECK(off.dropped() == 1);
}

TEST_CASE("journal: filters select by session and since", "[journal]") {
    journal j{{.entries = 2}};
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

namespace {

std::unique_ptr<journal_entry> with_body(std::size_t size) {
    auto e = std::make_unique<journal_entry>();
    e->body.assign(size, 'x');
    return e;
}

}  // namespace

TEST_CASE("journal: bounded in bytes too, the oldest going first, entries counted at their capacity", "[journal]") {
    const auto one = entry_bytes(*with_body(10'000));
    CHECK(one > 10'000);
    journal j{{.entries = 100, .bytes = 3 * one + one / 2}};
    for (int i = 0; i < 5; ++i) {
        auto e = with_body(10'000);
        j.record(e);
    }
    CHECK(j.size() == 3);
    CHECK(j.dropped() == 2);
    CHECK(j.bytes() == 3 * one);

    // What a string holds is its capacity: a short body in a large buffer counts as the buffer.
    auto roomy = with_body(10);
    roomy->body.reserve(30'000);
    CHECK(entry_bytes(*roomy) > 30'000);
    CHECK(entry_bytes(*roomy) > entry_bytes(*with_body(10)) + 29'000);
    auto headers = std::make_unique<journal_entry>();
    headers->headers.assign(1000, {});  // a thousand empty fields still take their place in the list
    CHECK(entry_bytes(*headers) > 1000 * sizeof(std::pair<std::string, std::string>));

    // One entry that needs the room of three: the oldest go, one comes back to be refilled, the others are freed.
    auto big = with_body(3 * 10'000);
    const auto big_bytes = entry_bytes(*big);
    j.record(big);
    REQUIRE(big != nullptr);
    CHECK(big->body.size() == 10'000);
    CHECK(j.size() == 1);
    CHECK(j.bytes() == big_bytes);
    CHECK(j.dropped() == 5);

    // An entry larger than the whole budget is not kept.
    auto huge = with_body(10 * 10'000);
    j.record(huge);
    CHECK(huge != nullptr);
    CHECK(j.size() == 1);
    CHECK(j.dropped() == 6);

    j.clear();
    CHECK(j.bytes() == 0);
}

TEST_CASE("journal: a page stops at its limit or its bytes, and says whether more follow", "[journal]") {
    journal j{{.entries = 10}};
    for (const auto* p : {"/a", "/b", "/a", "/a", "/a"}) record_path(j, p);
    auto first = j.page({}, 2, 1 << 20);
    REQUIRE(first.entries.size() == 2);
    CHECK(first.entries[1].id == 2);
    CHECK(first.more);
    auto next = j.page({.since = 2}, 2, 1 << 20);
    REQUIRE(next.entries.size() == 2);
    CHECK(next.entries[0].id == 3);
    CHECK(next.more);
    auto last = j.page({.since = 4}, 2, 1 << 20);
    REQUIRE(last.entries.size() == 1);
    CHECK_FALSE(last.more);
    // The filter applies before the limit: the last /a is the fourth one, and nothing selected follows.
    auto only_a = j.page({.path = "/a", .since = 1}, 3, 1 << 20);
    REQUIRE(only_a.entries.size() == 3);
    CHECK(only_a.entries[2].id == 5);
    CHECK_FALSE(only_a.more);
    // A byte budget smaller than one entry still gives one.
    auto tiny = j.page({}, 10, 1);
    CHECK(tiny.entries.size() == 1);
    CHECK(tiny.more);
    CHECK(j.entries({}).size() == 5);
    CHECK(j.entries({.path = "/a"}).size() == 4);
}

TEST_CASE("journal: a wait counts from where it starts, then each completed entry once", "[journal][wait]") {
    journal j{{.entries = 3}};
    const auto now = std::chrono::system_clock::now();
    auto served = [&](const char* path) {
        const auto id = record_path(j, path);
        j.complete(id, 200, now, now);
        return id;
    };
    served("/a");
    record_path(j, "/a");  // id 2: not served yet
    int reached = 0;
    {
        auto wait = j.wait({.path = "/a"}, 3, [&] { ++reached; });
        CHECK(j.waiters() == 1);
        CHECK(wait.served() == 1);
        j.complete(2, 200, now, now);
        CHECK(wait.served() == 2);
        j.complete(2, 200, now, now);  // completed once only
        CHECK(wait.served() == 2);
        served("/b");  // not selected
        CHECK(wait.served() == 2);
        CHECK(reached == 0);
        served("/a");  // the ring (3) drops entry 1 on the way: what was counted stays counted
        CHECK(wait.served() == 3);
        CHECK(reached == 1);
        served("/a");
        CHECK(wait.served() == 4);
        CHECK(reached == 1);  // woken when the count is reached, not at every entry after

        // A reset counts again what the journal holds: the entries it erased, and those evicted, are forgotten.
        j.erase({.path = "/a"});
        CHECK(wait.served() == 0);
        served("/a");
        CHECK(wait.served() == 1);
        j.clear();
        CHECK(wait.served() == 0);
        for (int i = 0; i < 3; ++i) served("/a");
        CHECK(reached == 2);  // reached again after the reset took the count down
    }
    CHECK(j.waiters() == 0);
    served("/a");  // nobody is told any more
    CHECK(reached == 2);
}

TEST_CASE("journal: a watch is told of every entry completed, whatever its path", "[journal][wait]") {
    journal j{{.entries = 3}};
    const auto now = std::chrono::system_clock::now();
    const auto held = record_path(j, "/before");
    j.complete(held, 200, now, now);
    int told = 0;
    {
        auto watch = j.watch([&] { ++told; });
        CHECK(watch.served() == 1);  // counted from what the journal holds
        const auto pending = record_path(j, "/a");
        CHECK(told == 0);  // recorded is not completed
        j.complete(pending, 200, now, now);
        j.complete(pending, 200, now, now);  // once only
        for (const char* path : {"/b", "/c"}) j.complete(record_path(j, path), 503, now, now);
        CHECK(told == 3);
        CHECK(watch.served() == 4);
        j.clear();
        CHECK(watch.served() == 0);  // the event stream sees the count drop: its page starts over
    }
    CHECK(j.waiters() == 0);
    j.complete(record_path(j, "/d"), 200, now, now);
    CHECK(told == 3);
}

// A journal entry as a request fills it: the fields and the body within their
// caps, what was cut said with the sizes sent, trailers apart, and storage
// given back when a refilled entry holds far more than it needs.

#include "journal/journal_record.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

using namespace teapot::detail;

namespace {

journal_entry filled(const request& req, const journal_limits& limits) {
    journal_entry e;
    fill_journal_entry(e, req, response_plan{}, std::chrono::system_clock::now(), limits);
    return e;
}

request sample() {
    request req;
    req.method = "POST";
    req.target = "/upload?x=1";
    req.headers = {{"A", "1"}, {"B", "22"}, {"C", "333"}};
    req.trailers = {{"T", "t"}};
    req.body = "hello";
    return req;
}

}  // namespace

TEST_CASE("journal entry: every field and the trailers apart, when all fit", "[journal]") {
    auto e = filled(sample(), {});
    CHECK(e.path == "/upload");
    CHECK(e.headers.size() == 3);
    CHECK(e.headers[2] == std::pair<std::string, std::string>{"C", "333"});
    CHECK_FALSE(e.headers_truncated);
    CHECK(e.header_count == 3);
    CHECK(e.header_bytes == 9);
    REQUIRE(e.trailers.size() == 1);
    CHECK(e.trailers[0] == std::pair<std::string, std::string>{"T", "t"});
    CHECK_FALSE(e.trailers_truncated);
    CHECK(e.trailer_count == 1);
    CHECK(e.trailer_bytes == 2);
    CHECK(e.body == "hello");
    CHECK_FALSE(e.body_truncated);
    CHECK(e.body_size == 5);
}

TEST_CASE("journal entry: fields are kept by count and by bytes, header fields first", "[journal]") {
    SECTION("by count: the trailers get what the header fields left") {
        auto e = filled(sample(), {.fields = 2});
        CHECK(e.headers.size() == 2);
        CHECK(e.headers_truncated);
        CHECK(e.header_count == 3);
        CHECK(e.header_bytes == 9);
        CHECK(e.trailers.empty());
        CHECK(e.trailers_truncated);
        CHECK(e.trailer_count == 1);
        CHECK(e.trailer_bytes == 2);
    }
    SECTION("by bytes: the first field that does not fit whole ends the list of header fields") {
        auto req = sample();
        req.headers = {{"A", "1"}, {"B", "2222"}, {"C", "3"}};
        auto e = filled(req, {.field_bytes = 4});
        REQUIRE(e.headers.size() == 1);
        CHECK(e.headers[0].first == "A");
        CHECK(e.headers_truncated);
        CHECK(e.header_bytes == 9);
        CHECK(e.trailers.size() == 1);  // "T: t" fits what is left
        CHECK_FALSE(e.trailers_truncated);
    }
    SECTION("the trailers, once the header fields fit, within what they left") {
        auto e = filled(sample(), {.fields = 4, .field_bytes = 11});
        CHECK_FALSE(e.headers_truncated);
        CHECK(e.trailers.size() == 1);
        CHECK_FALSE(e.trailers_truncated);
        auto short_by_one = filled(sample(), {.fields = 4, .field_bytes = 10});
        CHECK_FALSE(short_by_one.headers_truncated);
        CHECK(short_by_one.trailers.empty());
        CHECK(short_by_one.trailers_truncated);
    }
}

TEST_CASE("journal entry: the body is cut at its cap, never inside a UTF-8 character", "[journal]") {
    auto req = sample();
    req.body = "h\xC3\xA9llo";  // "héllo": é is two bytes
    auto cut_after = filled(req, {.body_bytes = 3});
    CHECK(cut_after.body == "h\xC3\xA9");
    CHECK(cut_after.body_truncated);
    CHECK(cut_after.body_size == 6);
    auto cut_inside = filled(req, {.body_bytes = 2});
    CHECK(cut_inside.body == "h");
    CHECK(cut_inside.body_truncated);
    auto whole = filled(req, {.body_bytes = 6});
    CHECK(whole.body == req.body);
    CHECK_FALSE(whole.body_truncated);
}

TEST_CASE("journal entry: a refilled entry gives back storage far larger than it needs", "[journal]") {
    journal_entry e;
    const std::string large(100'000, 'x');
    auto req = sample();
    req.body = large;
    std::vector<std::pair<std::string_view, std::string_view>> many(100,
                                                                    {"Name", std::string_view{large}.substr(0, 100)});
    req.headers = many;
    fill_journal_entry(e, req, response_plan{}, {}, {.body_bytes = 100'000, .field_bytes = 100'000});
    CHECK(e.body.capacity() >= 100'000);
    CHECK(e.headers.size() == 100);
    const auto full = entry_bytes(e);
    // Small again: what stays is what a small request needs, not what the large one did.
    fill_journal_entry(e, sample(), response_plan{}, {}, {});
    CHECK(e.body == "hello");
    CHECK(e.body.capacity() < 1000);
    CHECK(e.headers.capacity() < 20);
    CHECK(entry_bytes(e) < full / 50);
    // A request like the last one reuses the storage as it is.
    const auto* storage = e.headers.data();
    fill_journal_entry(e, sample(), response_plan{}, {}, {});
    CHECK(e.headers.data() == storage);
}

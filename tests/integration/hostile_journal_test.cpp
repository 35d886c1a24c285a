// The journal and the admin API's JSON against hostile inputs (issue 13,
// findings 6, 7, 8 and 11), over real sockets: what one entry and the whole
// journal may hold, listings in pages of bounded size, waiters that leave or
// pile up, and replies that stay valid UTF-8 whatever the requests carried.

#include "client.hpp"
#include "test_server.hpp"

#include <boost/beast/core/detail/base64.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <poll.h>
#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace teapot::test;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr std::size_t mib = 1024 * 1024;

// Admin requests as the admin API wants them from a client on loopback: Host names 127.0.0.1 and the port.
std::string request(std::uint16_t port, const std::string& method, const std::string& target,
                    const std::string& fields = {}, const std::string& body = {}) {
    return method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n" + fields +
           (body.empty() && method == "GET" ? "" : "Content-Length: " + std::to_string(body.size()) + "\r\n") + "\r\n" +
           body;
}

response get(std::uint16_t port, const std::string& target, const std::string& fields = {}) {
    connection c{port, std::chrono::seconds{20}};
    c.send(request(port, "GET", target, fields));
    return c.read_response();
}

response post(std::uint16_t port, const std::string& target, const std::string& body, const std::string& fields = {}) {
    connection c{port, std::chrono::seconds{20}};
    c.send(request(port, "POST", target, fields, body));
    return c.read_response();
}

// Boost.JSON's parser accepts only well-formed UTF-8 in strings, as Python's json.loads(bytes) does.
json::value strict_json(const response& r) {
    INFO("reply: " << r.body.substr(0, 300));
    json::value v;
    REQUIRE_NOTHROW(v = json::parse(r.body));
    return v;
}

// A metric from GET /__teapot/metrics ("name value" lines).
double metric(std::uint16_t port, const std::string& name) {
    auto text = get(port, "/__teapot/metrics").body;
    auto at = text.find("\n" + name + " ");
    INFO("metric " << name);
    REQUIRE(at != std::string::npos);
    return std::stod(text.substr(at + name.size() + 2));
}

// This process's resident memory, in MiB: the server runs in it.
double rss_mib() {
    std::ifstream status{"/proc/self/status"};
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmRSS:")) return std::stod(line.substr(6)) / 1024;
    FAIL("no VmRSS in /proc/self/status");
    return 0;
}

// Sends `count` copies of `bytes` on one keep-alive connection, pipelined in batches, and reads every answer.
void send_many(std::uint16_t port, const std::string& bytes, int count, int expected_status) {
    connection c{port, std::chrono::seconds{30}};
    for (int sent = 0; sent < count;) {
        const int batch = std::min(20, count - sent);
        std::string burst;
        for (int i = 0; i < batch; ++i) burst += bytes;
        c.send(burst);
        for (int i = 0; i < batch; ++i) REQUIRE(c.read_response().status == expected_status);
        sent += batch;
    }
}

// Whether `c` has something to read within `within` (a long-poll that answered).
bool answered_within(connection& c, std::chrono::milliseconds within) {
    pollfd p{c.fd(), POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(within.count())) > 0;
}

std::string base64_decoded(std::string_view text) {
    namespace b64 = boost::beast::detail::base64;
    std::string out(b64::decoded_size(text.size()), '\0');
    out.resize(b64::decode(out.data(), text.data(), text.size()).first);
    return out;
}

}  // namespace

TEST_CASE("hostile journal: 2 000 requests of 3 200 header fields keep what the caps allow, within the byte budget",
          "[hostile][journal]") {
    auto o = test_options();
    o.journal_bytes = 8 * mib;
    o.request_limits.max_header_fields = 10'000;  // the journal's caps are under test, not the parser's
    test_server s{o};
    std::string fields;
    for (int i = 0; i < 3200; ++i) fields += "a:x\r\n";  // 16 000 bytes on the wire
    const auto before = rss_mib();
    send_many(s.port(), "GET /status/200 HTTP/1.1\r\nHost: 127.0.0.1\r\n" + fields + "\r\n", 2000, 200);
    const auto grown = rss_mib() - before;
    // Before the caps, each entry kept 3 201 fields of 64 bytes each (plus the strings): 2 000 of them took 400 MiB.
#ifndef __SANITIZE_ADDRESS__
    CHECK(grown < 64);
#else
    // AddressSanitizer holds freed blocks in its quarantine (256 MiB): RSS says nothing about the journal then.
    (void)grown;
#endif
    auto page = strict_json(get(s.port(), "/__teapot/requests?limit=1")).as_object();
    CHECK(page.at("bytes").to_number<std::size_t>() <= 8 * mib);
    CHECK(page.at("max_bytes") == 8 * mib);
    const auto& e = page.at("requests").at(0).as_object();
    CHECK(e.at("headers").as_array().size() == 100);
    CHECK(e.at("headers").at(0).at(0) == "Host");
    CHECK(e.at("headers_truncated") == true);
    CHECK(e.at("header_count") == 3201);
    CHECK(e.at("header_bytes") == 3200 * 2 + 4 + 9);  // names and values: "Host" "127.0.0.1"
    CHECK(metric(s.port(), "teapot_journal_bytes") <= 8 * mib);
}

TEST_CASE("hostile journal: bodies are cut at their cap and evicted for bytes, the oldest first",
          "[hostile][journal]") {
    auto o = test_options();
    o.journal_bytes = 2 * mib;
    o.journal_page_bytes = 8 * mib;  // one page lists them all
    test_server s{o};
    const std::string body(100 * 1024, 'b');
    send_many(s.port(), request(s.port(), "POST", "/status/201", {}, body), 300, 201);
    // 64 KiB kept of each: about 30 fit in 2 MiB, the newest.
    const auto held = metric(s.port(), "teapot_journal_entries");
    CHECK(held >= 20);
    CHECK(held <= 32);
    CHECK(metric(s.port(), "teapot_journal_dropped_total") == 300 - held);
    CHECK(metric(s.port(), "teapot_journal_bytes") <= 2 * mib);
    auto page = strict_json(get(s.port(), "/__teapot/requests?limit=1000")).as_object();
    const auto& entries = page.at("requests").as_array();
    REQUIRE(static_cast<double>(entries.size()) == held);
    CHECK(entries.back().at("id") == 300);
    const auto& e = entries.back().as_object();
    CHECK(e.at("body").as_string().size() == 64 * 1024);
    CHECK(e.at("body_truncated") == true);
    CHECK(e.at("body_size") == 100 * 1024);
}

TEST_CASE("hostile journal: a journal of 64 KiB bodies lists in pages of bounded bytes, a bystander served meanwhile",
          "[hostile][journal]") {
    auto o = test_options();     // pages of 1 MiB of JSON (--journal-page-bytes)
    o.journal_size = 1'000'000;  // the bystander's entries push none of the listed ones out, however slow the build
    test_server s{o};
    std::string binary(64 * 1024, '\0');
    for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 7);
    send_many(s.port(), request(s.port(), "POST", "/status/200", {}, binary), 200, 200);

    auto limited = strict_json(get(s.port(), "/__teapot/requests?limit=3&since=10")).as_object();
    CHECK(limited.at("requests").as_array().size() == 3);
    CHECK(limited.at("next_since") == 13);
    CHECK(limited.at("more") == true);
    for (const auto* bad : {"0", "1001", "many"}) {
        INFO("limit=" << bad);
        auto r = get(s.port(), std::string{"/__teapot/requests?limit="} + bad);
        CHECK(r.status == 400);
        CHECK_THAT(r.body, Catch::Contains("limit"));
    }
    CHECK(get(s.port(), "/__teapot/wait?limit=3").status == 400);  // a listing's parameter, not a wait's

    // Served meanwhile on a path of its own (its requests are journaled too, not listed below).
    struct bystander {
        std::uint16_t port;
        std::atomic<bool> stop{false};
        std::atomic<long> worst_ms{0};
        std::atomic<int> failures{0};
        std::thread thread{[this] {
            try {
                connection c{port, std::chrono::seconds{20}};
                while (!stop) {
                    const auto t = clock_type::now();
                    c.send("GET /status/204 HTTP/1.1\r\nHost: t\r\n\r\n");
                    if (c.read_response().status != 204) ++failures;
                    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t);
                    if (ms.count() > worst_ms) worst_ms = ms.count();
                    std::this_thread::sleep_for(std::chrono::milliseconds{1});
                }
            } catch (const std::exception&) {
                ++failures;
            }
        }};
        ~bystander() {
            stop = true;
            thread.join();
        }
    } other{s.port()};
    std::vector<std::int64_t> ids;
    std::size_t pages = 0;
    for (std::int64_t since = 0;;) {
        auto r = get(s.port(), "/__teapot/requests?path=/status/200&since=" + std::to_string(since));
        REQUIRE(r.status == 200);
        ++pages;
        CHECK(r.body.size() <= 1 * mib + 512);  // the page's entries, and its few other members
        auto page = strict_json(r).as_object();
        for (const auto& e : page.at("requests").as_array()) {
            ids.push_back(e.at("id").as_int64());
            CHECK(e.at("body").is_null());  // not UTF-8: the bytes are in body_base64
            CHECK(base64_decoded(e.at("body_base64").as_string()) == binary);
        }
        since = page.at("next_since").as_int64();
        if (!page.at("more").as_bool()) break;
        REQUIRE(pages < 200);
    }
    other.stop = true;
    std::vector<std::int64_t> expected;
    for (std::int64_t id = 1; id <= 200; ++id) expected.push_back(id);
    CHECK(ids == expected);  // every entry once, in order
    CHECK(pages > 10);
    CHECK(other.failures == 0);
    CHECK(other.worst_ms < 1000);
}

TEST_CASE("hostile journal: waiters whose clients leave are gone at once", "[hostile][journal][wait]") {
    test_server s;
    std::vector<std::unique_ptr<connection>> waiters;
    for (int i = 0; i < 50; ++i) {
        waiters.push_back(std::make_unique<connection>(s.port()));
        waiters.back()->send(request(s.port(), "GET", "/__teapot/wait?path=/never&timeout=30s"));
    }
    const auto registered = clock_type::now() + std::chrono::seconds{5};
    while (metric(s.port(), "teapot_journal_waiters") < 50 && clock_type::now() < registered)
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    REQUIRE(metric(s.port(), "teapot_journal_waiters") == 50);
    const auto left = clock_type::now();
    waiters.clear();  // every client closes its connection
    while (metric(s.port(), "teapot_journal_waiters") > 0 && clock_type::now() - left < std::chrono::seconds{5})
        std::this_thread::sleep_for(std::chrono::milliseconds{10});
    // Before the socket was watched, they stayed until their 30 s timeout.
    CHECK(metric(s.port(), "teapot_journal_waiters") == 0);
    CHECK(clock_type::now() - left < std::chrono::seconds{1});
}

TEST_CASE("hostile journal: 200 waiters do not make ordinary requests much slower", "[hostile][journal][wait]") {
    test_server s;
    // A journal of 5 000 entries: every completed request once made every waiter count them all.
    send_many(s.port(), "GET /status/204 HTTP/1.1\r\nHost: t\r\n\r\n", 5000, 204);
    auto loop = [&] {
        connection c{s.port(), std::chrono::seconds{30}};
        const auto t = clock_type::now();
        for (int i = 0; i < 500; ++i) {
            c.send("GET /status/200 HTTP/1.1\r\nHost: t\r\n\r\n");
            REQUIRE(c.read_response().status == 200);
        }
        return clock_type::now() - t;
    };
    const auto alone = loop();
    std::vector<std::unique_ptr<connection>> waiters;
    for (int i = 0; i < 200; ++i) {
        waiters.push_back(std::make_unique<connection>(s.port(), std::chrono::seconds{30}));
        waiters.back()->send(request(s.port(), "GET", "/__teapot/wait?path=/never&timeout=30s"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{300});  // let them all start waiting
    const auto crowded = loop();
    using ms = std::chrono::duration<double, std::milli>;
    INFO("alone " << ms(alone).count() << " ms, with 200 waiters " << ms(crowded).count() << " ms");
    // Measured before: 202 requests/s with 200 waiters against 33 900 alone.
    CHECK(crowded < 4 * alone + std::chrono::milliseconds{250});
    for (auto& w : waiters) CHECK_FALSE(answered_within(*w, std::chrono::milliseconds{0}));
}

TEST_CASE("hostile journal: wait counts what was served before and after it starts, with filters and resets",
          "[hostile][journal][wait]") {
    test_server s;
    for (int i = 0; i < 2; ++i) REQUIRE(get(s.port(), "/status/201").status == 201);
    auto at_once = get(s.port(), "/__teapot/wait?path=/status/201&count=2&timeout=5s");
    CHECK(at_once.status == 200);
    CHECK(strict_json(at_once).at("count") == 2);

    connection waiter{s.port(), std::chrono::seconds{20}};
    waiter.send(request(s.port(), "GET", "/__teapot/wait?path=/status/201&count=4&timeout=15s"));
    CHECK_FALSE(answered_within(waiter, std::chrono::milliseconds{100}));
    REQUIRE(get(s.port(), "/status/202").status == 202);  // not selected
    REQUIRE(get(s.port(), "/status/201").status == 201);  // 3 of 4
    CHECK_FALSE(answered_within(waiter, std::chrono::milliseconds{200}));
    // A reset empties the journal: the wait counts from nothing again.
    REQUIRE(post(s.port(), "/__teapot/reset", {}).status == 200);
    for (int i = 0; i < 3; ++i) REQUIRE(get(s.port(), "/status/201").status == 201);
    CHECK_FALSE(answered_within(waiter, std::chrono::milliseconds{200}));
    REQUIRE(get(s.port(), "/status/201").status == 201);
    auto r = waiter.read_response();
    CHECK(r.status == 200);
    CHECK(strict_json(r).at("count") == 4);

    // since: only what comes after the id given.
    const auto last = strict_json(get(s.port(), "/__teapot/requests")).at("next_since").as_int64();
    connection after{s.port(), std::chrono::seconds{20}};
    after.send(request(s.port(), "GET", "/__teapot/wait?since=" + std::to_string(last) + "&timeout=15s"));
    CHECK_FALSE(answered_within(after, std::chrono::milliseconds{200}));
    REQUIRE(get(s.port(), "/status/203").status == 203);
    CHECK(after.read_response().status == 200);

    // The C++ API's wait_for counts the same way.
    CHECK(s.srv.wait_for({.path = "/status/201"}, 4, std::chrono::seconds{1}));
    CHECK_FALSE(s.srv.wait_for({.path = "/status/201"}, 5, std::chrono::milliseconds{100}));
    std::thread late{[&] { get(s.port(), "/status/201"); }};
    CHECK(s.srv.wait_for({.path = "/status/201"}, 5, std::chrono::seconds{10}));
    late.join();
}

TEST_CASE("hostile journal: every admin reply is valid UTF-8 after binary bodies, latin-1 fields, %FF paths and keys",
          "[hostile][journal][utf8]") {
    test_server s;
    s.srv.load_scenario(R"(name: keyed
isolate_by: query t
routes:
  - { id: items, match: { path: /api/items }, steps: [{ status: 200 }] }
)");
    std::string binary;
    for (int i = 0; i < 256; ++i) binary += static_cast<char>(i);
    REQUIRE(post(s.port(), "/status/200", binary, "X-Latin: caf\xE9\r\n").status == 200);
    REQUIRE(get(s.port(), "/api/items?t=%FF").status == 200);
    REQUIRE(get(s.port(), "/nowhere%FF?t=%FE", "Accept: application/json\r\n").status == 404);

    for (const std::string target :
         {"/__teapot/requests", "/__teapot/requests?path=/nowhere%FF", "/__teapot/requests?session=%FF",
          "/__teapot/requests?since=%FF", "/__teapot/requests?route=%FF", "/__teapot/scenarios",
          "/__teapot/wait?session=%FF&timeout=1s", "/__teapot/nope%FF", "/__teapot/wait?count=%FF"}) {
        INFO(target);
        strict_json(get(s.port(), target));
    }
    strict_json(post(s.port(), "/__teapot/verify?session=%FF&scenario=keyed", R"([{"route": "items", "count": 1}])",
                     "Content-Type: application/json\r\n"));
    strict_json(post(s.port(), "/__teapot/reset?scenario=%FF", {}));
    // Beyond the admin API: a 404 quoting the path, in JSON.
    strict_json(get(s.port(), "/nowhere%FF?t=%FE", "Accept: application/json\r\n"));

    auto entries = strict_json(get(s.port(), "/__teapot/requests")).at("requests").as_array();
    REQUIRE(entries.size() == 4);
    // The binary body: null as text, its bytes exactly in base64.
    CHECK(entries[0].at("body").is_null());
    CHECK(base64_decoded(entries[0].at("body_base64").as_string()) == binary);
    CHECK(entries[0].at("body_size") == 256);
    // The latin-1 field: [name, value with U+FFFD, the value's bytes in base64].
    bool latin = false;
    for (const auto& f : entries[0].at("headers").as_array()) {
        if (f.at(0) != "X-Latin") continue;
        latin = true;
        CHECK(f.at(1) == "caf\xEF\xBF\xBD");
        CHECK(base64_decoded(f.at(2).as_string()) == "caf\xE9");
    }
    CHECK(latin);
    CHECK(entries[0].at("headers").at(0).as_array().size() == 2);  // Host: plain text, plain pair
    // The session key and the path, repaired.
    CHECK(entries[1].at("sessions").at(0) == "\xEF\xBF\xBD");
    CHECK(entries[2].at("path") == "/nowhere\xEF\xBF\xBD");
    CHECK(strict_json(get(s.port(), "/__teapot/requests?session=%FF")).at("requests").as_array().size() == 1);
}

TEST_CASE("hostile journal: a chunked request's trailer fields are journaled apart, within the same caps",
          "[hostile][journal]") {
    auto o = test_options();
    o.request_limits.max_header_fields = 10'000;  // the journal's caps are under test, not the parser's
    test_server s{o};
    connection c{s.port()};
    std::string many;
    for (int i = 0; i < 150; ++i) many += "X-T" + std::to_string(i) + ": v\r\n";
    c.send(
        "POST /status/200 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n"
        "X-Checksum: abc\r\nX-Latin: caf\xE9\r\n\r\n"
        "POST /status/201 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n" +
        many + "\r\n");
    REQUIRE(c.read_response().status == 200);
    REQUIRE(c.read_response().status == 201);
    auto entries = strict_json(get(s.port(), "/__teapot/requests")).at("requests").as_array();
    REQUIRE(entries.size() == 2);
    const auto& first = entries[0].as_object();
    CHECK(first.at("body") == "x");
    const auto& trailers = first.at("trailers").as_array();
    REQUIRE(trailers.size() == 2);
    CHECK(trailers[0] == json::array{"X-Checksum", "abc"});
    CHECK(trailers[1].at(1) == "caf\xEF\xBF\xBD");
    CHECK(base64_decoded(trailers[1].at(2).as_string()) == "caf\xE9");
    CHECK(first.at("trailer_count") == 2);
    CHECK(first.at("trailer_bytes") == 10 + 3 + 7 + 4);
    CHECK(first.at("trailers_truncated") == false);
    for (const auto& f : first.at("headers").as_array()) CHECK(f.at(0) != "X-Checksum");
    // 2 header fields, then the trailers up to 100 fields in all.
    const auto& second = entries[1].as_object();
    CHECK(second.at("headers").as_array().size() == 2);
    CHECK(second.at("trailers").as_array().size() == 98);
    CHECK(second.at("trailers_truncated") == true);
    CHECK(second.at("trailer_count") == 150);
}

// /status/<code> knobs, weighted choice, content negotiation, CORS, byte
// ranges and the catalogue endpoints, over real sockets.

#include <catch2/catch.hpp>

#include "client.hpp"
#include "test_server.hpp"

#include <teapot/catalog.hpp>
#include <teapot/server.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
using teapot::test::connection;
using teapot::test::fetch;
using teapot::test::response;
using teapot::test::take_response;
using namespace std::chrono_literals;

constexpr std::string_view closing_sentinel =
    "GET /status/200 HTTP/1.1\r\nHost: teapot.test\r\nConnection: close\r\n\r\n";

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool contains(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != haystack.npos; }

const teapot::status_entry& entry(int code) {
    const auto* e = teapot::find_status(code);
    if (!e) throw std::logic_error("test asks for a code the catalogue lacks: " + std::to_string(code));
    return *e;
}

// Sends `bytes` in one write and returns everything the server sends until it closes.
std::string raw_exchange(std::uint16_t port, std::string_view bytes) {
    connection c{port, 3s};
    c.send(bytes);
    return c.read_until_close();
}

std::vector<std::string> values_of(const response& r, std::string_view name) {
    std::vector<std::string> out;
    for (const auto& [n, v] : r.headers)
        if (lower(n) == lower(std::string{name})) out.push_back(v);
    return out;
}

json::object json_object(const response& r) {
    auto v = json::parse(r.body);
    REQUIRE(v.is_object());
    return v.as_object();
}

std::string json_string(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    if (!v || !v->is_string()) return "<missing " + std::string{key} + ">";
    return std::string{v->as_string()};
}

bool has_token(std::string_view list, std::string_view token) {
    auto l = lower(std::string{list});
    auto t = lower(std::string{token});
    std::size_t at = 0;
    while (at <= l.size()) {
        auto comma = l.find(',', at);
        auto item = l.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        item.erase(0, item.find_first_not_of(" \t"));
        item.erase(item.find_last_not_of(" \t") + 1);
        if (item == t) return true;
        if (comma == std::string::npos) break;
        at = comma + 1;
    }
    return false;
}

}  // namespace

// ---------------------------------------------------------------- knobs

TEST_CASE("?final= chooses the final response after an interim one", "[status][knobs]") {
    teapot::test::test_server server;

    SECTION("100 then 404") {
        auto raw = raw_exchange(server.port(), "GET /status/100?final=404 HTTP/1.1\r\nHost: teapot.test\r\n\r\n" +
                                                   std::string{closing_sentinel});
        CHECK(raw.starts_with("HTTP/1.1 100 Continue\r\n"));
        auto interim = take_response(raw);
        CHECK(interim.status == 100);
        auto final = take_response(raw);
        CHECK(final.status == 404);
        CHECK(final.reason == "Not Found");
        CHECK(final.body.starts_with("404 Not Found"));
        CHECK(take_response(raw).status == 200);
        CHECK(raw.empty());
    }
    SECTION("103 with its hints, then a 302 with Location") {
        auto raw = raw_exchange(server.port(), "GET /status/103?final=302 HTTP/1.1\r\nHost: teapot.test\r\n\r\n" +
                                                   std::string{closing_sentinel});
        auto interim = take_response(raw);
        CHECK(interim.status == 103);
        CHECK(contains(interim.header("Link"), "rel=preload"));
        auto final = take_response(raw);
        CHECK(final.status == 302);
        CHECK(final.header("Location") == "/status/200");
        CHECK(take_response(raw).status == 200);
    }
    SECTION("102 then 201 at a chosen location") {
        auto raw = raw_exchange(server.port(),
                                "GET /status/102?final=201&location=/made/1 HTTP/1.1\r\nHost: teapot.test\r\n\r\n" +
                                    std::string{closing_sentinel});
        CHECK(take_response(raw).status == 102);
        auto final = take_response(raw);
        CHECK(final.status == 201);
        CHECK(final.header("Location") == "/made/1");
    }
}

TEST_CASE("an HTTP/1.0 client gets no interim response, only the final one", "[status][knobs]") {
    teapot::test::test_server server;

    SECTION("/status/100") {
        auto raw = raw_exchange(server.port(), "GET /status/100 HTTP/1.0\r\nHost: teapot.test\r\n\r\n");
        INFO(raw);
        // RFC 9110 §15.2: a server MUST NOT send a 1xx response to an HTTP/1.0 client.
        CHECK_FALSE(contains(raw, "100 Continue"));
        CHECK(raw.starts_with("HTTP/1.1 200 OK\r\n"));
        auto r = take_response(raw);
        CHECK(r.status == 200);
        CHECK(r.body.starts_with("200 OK"));
        CHECK(raw.empty());
    }
    SECTION("/status/103?final=404") {
        auto raw = raw_exchange(server.port(), "GET /status/103?final=404 HTTP/1.0\r\nHost: teapot.test\r\n\r\n");
        INFO(raw);
        CHECK_FALSE(contains(raw, "103 Early Hints"));
        CHECK(take_response(raw).status == 404);
        CHECK(raw.empty());
    }
}

TEST_CASE("?retry_after= sets Retry-After as delay-seconds or an HTTP-date", "[status][knobs]") {
    teapot::test::test_server server;

    auto seconds = fetch(server.port(), "/status/503?retry_after=120");
    CHECK(seconds.status == 503);
    CHECK(seconds.count("Retry-After") == 1);
    CHECK(seconds.header("Retry-After") == "120");

    auto date = fetch(server.port(), "/status/429?retry_after=Sun,%2006%20Nov%201994%2008:49:37%20GMT");
    CHECK(date.status == 429);
    CHECK(date.count("Retry-After") == 1);
    CHECK(date.header("Retry-After") == "Sun, 06 Nov 1994 08:49:37 GMT");
}

TEST_CASE("?header= adds response fields, repeated ones as several fields", "[status][knobs]") {
    teapot::test::test_server server;

    auto one = fetch(server.port(), "/status/200?header=X-Foo:bar");
    CHECK(one.status == 200);
    CHECK(one.header("X-Foo") == "bar");

    auto two = fetch(server.port(), "/status/200?header=X-Foo:a&header=X-Foo:b");
    CHECK(two.count("X-Foo") == 2);
    CHECK(values_of(two, "X-Foo") == std::vector<std::string>{"a", "b"});

    // A knob header replaces teapot's own field of that name.
    auto replaced = fetch(server.port(), "/status/503?header=Retry-After:7");
    CHECK(replaced.count("Retry-After") == 1);
    CHECK(replaced.header("Retry-After") == "7");
}

TEST_CASE("?header= never makes a second Date or Server field", "[status][knobs]") {
    teapot::test::test_server server;
    // Date and Server are singleton fields (RFC 9110 §5.3, §6.6.1, §10.2.4): whatever
    // the knob does, the response must not carry two of them.
    for (std::string_view target : {"/status/200?header=Server:other", "/status/200?header=Date:yesterday"}) {
        INFO("GET " << target);
        auto r = fetch(server.port(), target);
        CHECK(r.count("Server") == 1);
        CHECK(r.count("Date") == 1);
    }
}

TEST_CASE("?body= and ?content_type= set the content", "[status][knobs]") {
    teapot::test::test_server server;

    auto r = fetch(server.port(), "/status/201?body=hello%20teapot&content_type=text/x-teapot");
    CHECK(r.status == 201);
    CHECK(r.body == "hello teapot");
    CHECK(r.header("Content-Type") == "text/x-teapot");
    CHECK(r.header("Content-Length") == "12");

    auto plain = fetch(server.port(), "/status/404?body=gone");
    CHECK(plain.status == 404);
    CHECK(plain.body == "gone");
    CHECK(plain.header("Content-Type").starts_with("text/plain"));
}

TEST_CASE("?reason= sets the reason phrase", "[status][knobs]") {
    teapot::test::test_server server;
    auto r = fetch(server.port(), "/status/418?reason=Short%20and%20Stout");
    CHECK(r.status == 418);
    CHECK(r.reason == "Short and Stout");
}

TEST_CASE("?delay= waits before the response", "[status][knobs][timing]") {
    teapot::test::test_server server;
    auto started = std::chrono::steady_clock::now();
    auto r = fetch(server.port(), "/status/200?delay=200ms");
    auto elapsed = std::chrono::steady_clock::now() - started;
    CHECK(r.status == 200);
    CHECK(elapsed >= 200ms);
}

TEST_CASE("a delay beyond --max-delay is a 400 naming the maximum", "[status][knobs]") {
    auto options = teapot::test::test_options();
    options.max_delay = 1s;
    teapot::test::test_server server{options};

    auto r = fetch(server.port(), "/status/200?delay=2s");
    INFO(r.body);
    CHECK(r.status == 400);
    CHECK(contains(r.body, "delay"));
    CHECK(contains(r.body, "1s"));
    CHECK(contains(lower(r.body), "max"));
}

TEST_CASE("a client's own query parameters are ignored and named, and --strict-knobs refuses them", "[status][knobs]") {
    teapot::test::test_server server;
    for (std::string_view target : {"/status/503?cache_bust=123", "/status/200?api_key=x", "/status/429?_=1712345"}) {
        INFO("GET " << target);
        auto r = fetch(server.port(), target);
        CHECK(r.status == std::stoi(std::string{target.substr(8, 3)}));
        CHECK_FALSE(r.header("X-Teapot-Ignored-Params").empty());
    }
    auto typo = fetch(server.port(), "/status/200?dealy=1s&cache_bust=1");
    CHECK(typo.status == 200);
    CHECK(typo.header("X-Teapot-Ignored-Params") == "dealy (did you mean delay?), cache_bust");
    CHECK_FALSE(fetch(server.port(), "/status/200?delay=1ms").has("X-Teapot-Ignored-Params"));

    auto o = teapot::test::test_options();
    o.strict_knobs = true;
    teapot::test::test_server strict{o};
    auto r = fetch(strict.port(), "/status/200?dealy=1s");
    CHECK(r.status == 400);
    CHECK(r.body.find("unknown knob 'dealy' (did you mean delay?)") != std::string::npos);
}

TEST_CASE("a URI full of the client's own parameters names 16 of them and counts the rest", "[status][knobs]") {
    teapot::test::test_server server;
    std::string target = "/status/202?";
    for (int i = 0; target.size() < 8000; ++i) target += std::to_string(i) + "=&";
    auto r = fetch(server.port(), target);
    CHECK(r.status == 202);
    const auto field = r.header("X-Teapot-Ignored-Params");
    CHECK(field.starts_with("0, 1, 2, "));
    CHECK(std::regex_search(field, std::regex{R"(, 15, and \d{4} more$)"}));
    CHECK(field.size() < 100);  // before: every name, as long as the URI
}

TEST_CASE("invalid knobs are a 400 whose body explains", "[status][knobs]") {
    teapot::test::test_server server;

    struct bad_knob {
        std::string_view target;
        std::string_view explains;  // the body must mention this
    };
    const bad_knob cases[] = {
        {"/status/200?header=Bad%20Name:x", "header"},
        {"/status/200?header=Content-Length:5", "Content-Length"},
        {"/status/200?header=Transfer-Encoding:chunked", "Transfer-Encoding"},
        {"/status/200?header=X-Evil:a%0D%0ASet-Cookie:b", "X-Evil"},
        {"/status/200?reason=Bad%0D%0ASet-Cookie:%20a=b", "reason"},
        {"/status/302?location=/x%0D%0ASet-Cookie:%20a=b", "location"},
        {"/status/100?final=100", "final"},
        {"/status/100?final=999", "final"},
        {"/status/200?lang=de", "lang"},
        {"/status/200?delay=soon", "delay"},
        {"/status/200?delay=-5ms", "delay"},
        {"/status/503?retry_after=soon", "retry_after"},
        {"/status/200?content_type=nonsense", "content_type"},
    };
    for (const auto& c : cases) {
        INFO("GET " << c.target);
        auto r = fetch(server.port(), c.target);
        INFO(r.body);
        CHECK(r.status == 400);
        CHECK(r.reason == "Bad Request");
        CHECK(contains(r.body, c.explains));
        CHECK(r.header("Content-Length") == std::to_string(r.body.size()));
        // Nothing injected reached the header section.
        CHECK_FALSE(r.has("Set-Cookie"));
        CHECK_FALSE(r.has("X-Evil"));
        CHECK_FALSE(r.has("Location"));
    }
}

TEST_CASE("invalid status codes are a 400 that says what is valid", "[status][codes]") {
    teapot::test::test_server server;
    for (std::string_view target :
         {"/status/600", "/status/abc", "/status/", "/status", "/status/99", "/status/2000", "/status/0200"}) {
        INFO("GET " << target);
        auto r = fetch(server.port(), target);
        INFO(r.body);
        CHECK(r.status == 400);
        CHECK(contains(r.body, "100 to 599"));
    }
}

TEST_CASE("a code inside 100..599 that the catalogue lacks gets its class reason", "[status][codes]") {
    teapot::test::test_server server;
    REQUIRE(teapot::find_status(299) == nullptr);

    auto r = fetch(server.port(), "/status/299");
    CHECK(r.status == 299);
    CHECK(r.reason == "Unknown Success");
    CHECK(r.body.starts_with("299 Unknown Success"));
    CHECK(r.header("Content-Length") == std::to_string(r.body.size()));

    auto e = fetch(server.port(), "/status/599?reason=Custom");
    CHECK(e.status == 599);
    CHECK(e.reason == "Custom");
}

// ---------------------------------------------------------------- weighted choice

TEST_CASE("a weighted list never picks a zero weight", "[status][choice]") {
    teapot::test::test_server server;
    for (int i = 0; i < 20; ++i) {
        INFO("request " << i);
        auto r = fetch(server.port(), "/status/200:0,503:1");
        CHECK(r.status == 503);
    }
}

TEST_CASE("an unweighted list picks each member", "[status][choice]") {
    teapot::test::test_server server;
    std::set<int> seen;
    for (int i = 0; i < 50; ++i) {
        auto r = fetch(server.port(), "/status/200,503");
        CHECK((r.status == 200 || r.status == 503));
        seen.insert(r.status);
    }
    CHECK(seen == std::set<int>{200, 503});
}

TEST_CASE("the same seed gives two fresh servers the same sequence of choices", "[status][choice]") {
    auto sequence = [](std::uint64_t seed) {
        auto options = teapot::test::test_options();
        options.seed = seed;
        teapot::test::test_server server{options};
        std::vector<int> codes;
        for (int i = 0; i < 20; ++i) codes.push_back(fetch(server.port(), "/status/200,201,202,203").status);
        return codes;
    };
    auto first = sequence(20240601);
    auto second = sequence(20240601);
    CHECK(first == second);
    // A sequence that never varies would prove nothing.
    CHECK(std::set<int>(first.begin(), first.end()).size() >= 2);
}

// ---------------------------------------------------------------- negotiation

TEST_CASE("content negotiation picks text, JSON, problem+json or HTML", "[status][negotiation]") {
    teapot::test::test_server server;

    SECTION("no Accept: text/plain") {
        auto r = fetch(server.port(), "/status/200");
        CHECK(r.header("Content-Type").starts_with("text/plain"));
        CHECK(r.body.starts_with("200 OK"));
    }
    SECTION("Accept: application/json") {
        auto r = fetch(server.port(), "/status/200", "Accept: application/json\r\n");
        CHECK(r.header("Content-Type").starts_with("application/json"));
        auto o = json_object(r);
        REQUIRE(o.contains("code"));
        CHECK(o.at("code").to_number<int>() == 200);
        CHECK(json_string(o, "name") == "OK");
        CHECK(json_string(o, "category") == "Successful");
        CHECK(json_string(o, "description") == entry(200).description_en);
        CHECK(contains(lower(r.header("Vary")), "accept"));
    }
    SECTION("Accept: application/problem+json on a 4xx") {
        auto r = fetch(server.port(), "/status/404", "Accept: application/problem+json\r\n");
        CHECK(r.header("Content-Type").starts_with("application/problem+json"));
        auto o = json_object(r);
        CHECK(o.contains("type"));
        CHECK(json_string(o, "title") == "Not Found");
        REQUIRE(o.contains("status"));
        CHECK(o.at("status").to_number<int>() == 404);
        CHECK(json_string(o, "detail") == entry(404).description_en);
    }
    SECTION("Accept: text/html") {
        auto r = fetch(server.port(), "/status/404", "Accept: text/html\r\n");
        CHECK(r.header("Content-Type").starts_with("text/html"));
        CHECK(contains(lower(r.body), "<html"));
        CHECK(contains(r.body, "404 Not Found"));
    }
    SECTION("q-values: text/html;q=0.1, application/json;q=0.9 gives JSON") {
        auto r = fetch(server.port(), "/status/200", "Accept: text/html;q=0.1, application/json;q=0.9\r\n");
        CHECK(r.header("Content-Type").starts_with("application/json"));
        CHECK(json_object(r).contains("code"));
    }
}

TEST_CASE("Accept-Language: fr and ?lang=fr give the French description", "[status][negotiation]") {
    teapot::test::test_server server;
    const auto& e = entry(404);

    auto english = fetch(server.port(), "/status/404");
    CHECK(contains(english.body, e.description_en));

    auto header = fetch(server.port(), "/status/404", "Accept-Language: fr\r\n");
    CHECK(header.status == 404);
    CHECK(contains(header.body, e.description_fr));

    auto knob = fetch(server.port(), "/status/404?lang=fr");
    CHECK(knob.status == 404);
    CHECK(contains(knob.body, e.description_fr));

    auto as_json = fetch(server.port(), "/status/404?lang=fr", "Accept: application/json\r\n");
    CHECK(json_string(json_object(as_json), "description") == e.description_fr);
}

// ---------------------------------------------------------------- CORS

TEST_CASE("every response carries CORS fields", "[status][cors]") {
    teapot::test::test_server server;
    for (std::string_view target : {"/status/200", "/status/302", "/status/404", "/status/503", "/status/204",
                                    "/status/abc", "/codes", "/", "/no/such/thing"}) {
        INFO("GET " << target);
        auto r = fetch(server.port(), target);
        CHECK(r.header("Access-Control-Allow-Origin") == "*");
        auto exposed = r.header("Access-Control-Expose-Headers");
        CHECK(has_token(exposed, "Location"));
        CHECK(has_token(exposed, "Retry-After"));
    }
}

TEST_CASE("answers written before routing carry CORS fields too: 400, 413, 414, 431, 505, 503", "[status][cors]") {
    auto o = teapot::test::test_options();
    o.request_limits.max_body_bytes = 100;
    o.request_limits.max_target_bytes = 64;
    o.request_limits.max_header_bytes = 1024;
    teapot::test::test_server server{o};
    const std::string host = teapot::test::host_line(server.port());
    struct refused {
        std::string_view what;
        std::string request;
        int status;
    };
    const std::vector<refused> cases{
        {"malformed request line", "GET /status/200 HTTP/1.1 extra\r\n" + host + "\r\n", 400},
        {"content over the limit", "POST /status/200 HTTP/1.1\r\n" + host + "Content-Length: 101\r\n\r\n", 413},
        {"target over the limit", "GET /status/200?" + std::string(100, 'q') + " HTTP/1.1\r\n" + host + "\r\n", 414},
        {"header over the limit",
         "GET /status/200 HTTP/1.1\r\n" + host + "X-Big: " + std::string(2000, 'h') + "\r\n\r\n", 431},
        {"another version", "GET /status/200 HTTP/2.0\r\n" + host + "\r\n", 505},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        connection conn{server.port()};
        conn.send(c.request);
        auto r = conn.read_response();
        CHECK(r.status == c.status);
        CHECK(r.header("Access-Control-Allow-Origin") == "*");
        CHECK(has_token(r.header("Access-Control-Expose-Headers"), "Retry-After"));
    }
    // With the header read, the Origin is echoed as on any answer.
    connection conn{server.port()};
    conn.send("POST /status/200 HTTP/1.1\r\n" + host + "Origin: http://client.test\r\nContent-Length: 101\r\n\r\n");
    auto r = conn.read_response();
    CHECK(r.status == 413);
    CHECK(r.header("Access-Control-Allow-Origin") == "http://client.test");
    // The admin API keeps none, even for a request it refuses before routing.
    connection admin{server.port()};
    admin.send("POST /__teapot/scenarios HTTP/1.1\r\n" + host + "Content-Length: 101\r\n\r\n");
    auto refused_admin = admin.read_response();
    CHECK(refused_admin.status == 413);
    CHECK_FALSE(refused_admin.has("Access-Control-Allow-Origin"));
    // Over --max-connections: the 503 the listener writes at once.
    auto one = teapot::test::test_options();
    one.request_limits.max_connections = 1;
    teapot::test::test_server full{one};
    connection held{full.port()};
    held.send("GET /status/200 HTTP/1.1\r\n" + teapot::test::host_line(full.port()) + "\r\n");
    CHECK(held.read_response().status == 200);
    connection over{full.port()};
    auto busy = over.read_response();
    CHECK(busy.status == 503);
    CHECK(busy.header("Access-Control-Allow-Origin") == "*");
}

TEST_CASE("an Origin is echoed with Vary: Origin", "[status][cors]") {
    teapot::test::test_server server;
    auto r = fetch(server.port(), "/status/200", "Origin: http://client.test\r\n");
    CHECK(r.status == 200);
    CHECK(r.header("Access-Control-Allow-Origin") == "http://client.test");
    CHECK(has_token(r.header("Vary"), "Origin"));
}

TEST_CASE("a CORS preflight is a 204, a plain OPTIONS gets the requested status", "[status][cors]") {
    teapot::test::test_server server;

    SECTION("preflight") {
        auto raw = raw_exchange(server.port(),
                                "OPTIONS /status/503 HTTP/1.1\r\nHost: teapot.test\r\nOrigin: http://client.test\r\n"
                                "Access-Control-Request-Method: PUT\r\n\r\n" +
                                    std::string{closing_sentinel});
        auto r = take_response(raw);
        CHECK(r.status == 204);
        CHECK(has_token(r.header("Access-Control-Allow-Methods"), "PUT"));
        CHECK(r.header("Access-Control-Allow-Origin") == "http://client.test");
        CHECK_FALSE(r.has("Content-Length"));
        CHECK_FALSE(r.has("Transfer-Encoding"));
        CHECK(r.body.empty());
        // The next response follows at once: the 204 sent no content.
        auto next = take_response(raw);
        CHECK(next.status == 200);
        CHECK(next.body.starts_with("200 OK"));
        CHECK(raw.empty());
    }
    SECTION("plain OPTIONS") {
        auto r = fetch(server.port(), "/status/503", {}, "OPTIONS");
        CHECK(r.status == 503);
        CHECK(r.header("Retry-After") == "1");
    }
    SECTION("OPTIONS with an Origin but no Access-Control-Request-Method is not a preflight") {
        auto r = fetch(server.port(), "/status/503", "Origin: http://client.test\r\n", "OPTIONS");
        CHECK(r.status == 503);
    }
}

// ---------------------------------------------------------------- byte ranges

TEST_CASE("/status/206 serves the requested byte ranges", "[status][ranges]") {
    teapot::test::test_server server;

    auto first5 = fetch(server.port(), "/status/206", "Range: bytes=0-4\r\n");
    REQUIRE(first5.status == 206);
    auto content_range = first5.header("Content-Range");
    REQUIRE(content_range.starts_with("bytes 0-4/"));
    auto length = std::stoul(content_range.substr(10));
    REQUIRE(length > 15);

    auto whole = fetch(server.port(), "/status/206", "Range: bytes=0-" + std::to_string(length - 1) + "\r\n");
    REQUIRE(whole.status == 206);
    CHECK(whole.header("Content-Range") == "bytes 0-" + std::to_string(length - 1) + "/" + std::to_string(length));
    REQUIRE(whole.body.size() == length);
    CHECK(whole.body.starts_with("206 Partial Content"));

    SECTION("a single range is exactly those bytes") {
        CHECK(first5.body == whole.body.substr(0, 5));
        CHECK(first5.header("Content-Length") == "5");
    }
    SECTION("a suffix range is the last bytes") {
        auto last3 = fetch(server.port(), "/status/206", "Range: bytes=-3\r\n");
        CHECK(last3.status == 206);
        CHECK(last3.body == whole.body.substr(length - 3));
        CHECK(last3.header("Content-Range") ==
              "bytes " + std::to_string(length - 3) + "-" + std::to_string(length - 1) + "/" + std::to_string(length));
    }
    SECTION("two ranges are multipart/byteranges") {
        auto two = fetch(server.port(), "/status/206", "Range: bytes=0-4,10-14\r\n");
        CHECK(two.status == 206);
        auto type = two.header("Content-Type");
        REQUIRE(type.starts_with("multipart/byteranges; boundary="));
        auto boundary = type.substr(std::string_view{"multipart/byteranges; boundary="}.size());
        // RFC 9110 §14.6: the ranges are in the parts; no top-level Content-Range.
        CHECK_FALSE(two.has("Content-Range"));
        auto total = "/" + std::to_string(length);
        CHECK(contains(two.body, "--" + boundary + "\r\n"));
        CHECK(contains(two.body, "Content-Range: bytes 0-4" + total + "\r\n\r\n" + whole.body.substr(0, 5) + "\r\n"));
        CHECK(
            contains(two.body, "Content-Range: bytes 10-14" + total + "\r\n\r\n" + whole.body.substr(10, 5) + "\r\n"));
        CHECK(two.body.ends_with("--" + boundary + "--\r\n"));
        CHECK(two.header("Content-Length") == std::to_string(two.body.size()));
    }
    SECTION("an unsatisfiable range is a 416 with the current length") {
        auto r = fetch(server.port(), "/status/206", "Range: bytes=" + std::to_string(length) + "-\r\n");
        CHECK(r.status == 416);
        CHECK(r.reason == std::string{entry(416).name});
        CHECK(r.header("Content-Range") == "bytes */" + std::to_string(length));
        CHECK(r.header("Content-Length") == std::to_string(r.body.size()));
    }
}

// ---------------------------------------------------------------- catalogue endpoints

TEST_CASE("/codes lists the catalogue as JSON", "[codes]") {
    teapot::test::test_server server;

    SECTION("all codes") {
        auto r = fetch(server.port(), "/codes");
        CHECK(r.status == 200);
        CHECK(r.header("Content-Type").starts_with("application/json"));
        auto v = json::parse(r.body);
        REQUIRE(v.is_array());
        const auto& all = v.as_array();
        CHECK(all.size() == 64);
        CHECK(all.size() == teapot::status_catalog().size());
        REQUIRE_FALSE(all.empty());
        REQUIRE(all.front().is_object());
        CHECK(all.front().as_object().at("code").to_number<int>() == 100);
        for (const auto& item : all) {
            REQUIRE(item.is_object());
            CHECK(item.as_object().contains("name"));
        }
    }
    SECTION("one code") {
        auto r = fetch(server.port(), "/codes/418");
        CHECK(r.status == 200);
        auto o = json_object(r);
        REQUIRE(o.contains("code"));
        CHECK(o.at("code").to_number<int>() == 418);
        CHECK(json_string(o, "name") == "I'm a teapot");
    }
    SECTION("a code it lacks") {
        auto r = fetch(server.port(), "/codes/999");
        CHECK(r.status == 404);
        CHECK(r.header("Content-Length") == std::to_string(r.body.size()));
    }
    SECTION("POST is not allowed") {
        auto r = fetch(server.port(), "/codes", "Content-Length: 0\r\n", "POST");
        CHECK(r.status == 405);
        CHECK(has_token(r.header("Allow"), "GET"));
    }
}

TEST_CASE("the index is HTML linking the codes, unknown paths are 404", "[codes]") {
    teapot::test::test_server server;

    auto index = fetch(server.port(), "/");
    CHECK(index.status == 200);
    CHECK(index.header("Content-Type").starts_with("text/html"));
    CHECK(contains(index.body, "href=\"/status/418\""));

    auto missing = fetch(server.port(), "/no/such/thing");
    CHECK(missing.status == 404);
    CHECK(missing.reason == "Not Found");
    CHECK(missing.header("Content-Length") == std::to_string(missing.body.size()));
}

TEST_CASE("the index is the page a person needs: examples, knobs, the scenarios loaded, the admin API", "[codes]") {
    auto o = teapot::test::test_options();
    o.scenario_paths = {TEAPOT_SCENARIOS_DIR};
    teapot::test::test_server server{o};
    auto index = fetch(server.port(), "/");
    REQUIRE(index.status == 200);
    const auto& page = index.body;
    CHECK(contains(page, "delay=&lt;duration&gt;"));                    // the knobs
    CHECK(contains(page, "flaky-upstream"));                            // a scenario loaded
    CHECK(contains(page, "<code>GET /api/orders</code> list-orders"));  // its route
    CHECK(contains(page, "header X-Test-Id"));                          // how it isolates
    CHECK(contains(page, "POST /__teapot/verify?session=K"));           // the admin API
    CHECK(contains(page, "href=\"/status/418\""));                      // every code
    // No external asset: every link and source is on this server.
    CHECK_FALSE(contains(page, "=\"http"));
    CHECK_FALSE(contains(page, "=\"//"));
    // The examples to click answer as they say.
    CHECK(fetch(server.port(), "/status/302?location=/status/200").header("Location") == "/status/200");
    {
        connection c{server.port()};
        c.send("GET /status/103?final=200 HTTP/1.1\r\nHost: t\r\n\r\n");
        CHECK(c.read_response().status == 103);  // the interim response, then the final one
        CHECK(c.read_response().status == 200);
    }
    const auto picked = fetch(server.port(), "/status/200:3,503:1").status;
    CHECK((picked == 200 || picked == 503));
    CHECK(contains(page, "href=\"/status/200:3,503:1\""));
}

// Every code of the catalogue through /status/<code> over a real socket: the
// status line, the fields each code calls for (RFC 9110 §15 and companions),
// and framing that a pipelined request after it proves (RFC 9112 §6.3).

#include <catch2/catch.hpp>

#include "client.hpp"
#include "test_server.hpp"

#include <teapot/catalog.hpp>
#include <teapot/server.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace http = boost::beast::http;
using teapot::test::connection;
using teapot::test::response;
using teapot::test::take_response;
using namespace std::chrono_literals;

// Asks for a plain 200 and closes: the server's answer to it shows where the
// previous response ended, and its close ends read_until_close().
constexpr std::string_view closing_sentinel =
    "GET /status/200 HTTP/1.1\r\nHost: teapot.test\r\nConnection: close\r\n\r\n";

std::string request_text(std::string_view method, std::string_view target) {
    return std::string{method} + " " + std::string{target} + " HTTP/1.1\r\nHost: teapot.test\r\n\r\n";
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool contains(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != haystack.npos; }

std::string name_of(int code) {
    const auto* e = teapot::find_status(code);
    return e ? std::string{e->name} : std::string{};
}

// What came back for one request followed by the closing sentinel on the same connection.
struct exchange_result {
    std::string raw;                // every byte the server sent
    std::vector<response> interim;  // 1xx before the final response
    response final;
    response sentinel;     // the answer to the pipelined GET /status/200
    std::string trailing;  // bytes after the sentinel's response (must be none)
};

exchange_result exchange(std::uint16_t port, std::string_view method, std::string_view target) {
    connection c{port, 3s};
    c.send(request_text(method, target) + std::string{closing_sentinel});
    exchange_result x;
    x.raw = c.read_until_close();
    std::string rest = x.raw;
    bool head = method == "HEAD";
    for (;;) {
        auto r = take_response(rest, head);
        if (r.status >= 200) {
            x.final = std::move(r);
            break;
        }
        x.interim.push_back(std::move(r));
        if (x.interim.size() > 8) throw std::runtime_error("more interim responses than expected");
    }
    x.sentinel = take_response(rest, false);
    x.trailing = rest;
    return x;
}

// RFC 9110 §5.6.7: IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
bool looks_like_imf_fixdate(std::string_view d) {
    return d.size() == 29 && d[3] == ',' && d[4] == ' ' && d.ends_with(" GMT") && d[19] == ':' && d[22] == ':';
}

// "bytes a-b/len" → {a, b, len}; false when the value has another shape.
bool parse_content_range(std::string_view v, std::size_t& first, std::size_t& last, std::size_t& length) {
    if (!v.starts_with("bytes ")) return false;
    v.remove_prefix(6);
    auto dash = v.find('-'), slash = v.find('/');
    if (dash == v.npos || slash == v.npos || slash < dash) return false;
    try {
        std::size_t used = 0;
        auto a = std::string{v.substr(0, dash)}, b = std::string{v.substr(dash + 1, slash - dash - 1)},
             l = std::string{v.substr(slash + 1)};
        if (a.empty() || b.empty() || l.empty()) return false;
        first = std::stoul(a, &used);
        if (used != a.size()) return false;
        last = std::stoul(b, &used);
        if (used != b.size()) return false;
        length = std::stoul(l, &used);
        return used == l.size();
    } catch (const std::exception&) {
        return false;
    }
}

bool is_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The header section without Date (which may tick between two requests), one
// "name: value" per line in a canonical order, for comparing GET with HEAD.
std::string comparable_fields(const response& r) {
    std::vector<std::string> lines;
    for (const auto& [n, v] : r.headers)
        if (lower(n) != "date") lines.push_back(lower(n) + ": " + v);
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

bool has_location(int code) { return code == 201 || (code >= 300 && code < 400 && code != 304); }

// The rules every final response of /status/<requested> obeys (GET, default knobs).
void check_final(int requested, int final_code, const response& r) {
    INFO("final response " << r.status << " " << r.reason);
    CHECK(r.status == final_code);
    CHECK(r.reason == name_of(final_code));
    CHECK(r.version == 11);
    CHECK(looks_like_imf_fixdate(r.header("Date")));
    CHECK(r.header("Server") == "teapot/" + std::string{teapot::version()});
    CHECK(r.has("Access-Control-Allow-Origin"));
    CHECK_FALSE(r.has("Transfer-Encoding"));

    // Framing and body.
    if (final_code == 204 || final_code == 304) {
        // RFC 9110 §8.6, RFC 9112 §6.3: no Content-Length, no content.
        CHECK_FALSE(r.has("Content-Length"));
        CHECK(r.body.empty());
    } else if (final_code == 205) {
        // RFC 9110 §15.3.6: no content, and Content-Length: 0 since 205 is not bodiless by framing.
        CHECK(r.header("Content-Length") == "0");
        CHECK(r.body.empty());
    } else {
        CHECK(r.count("Content-Length") == 1);
        CHECK(r.header("Content-Length") == std::to_string(r.body.size()));
        if (requested == 101) {
            // 101 without an Upgrade request: the body says what a 101 needs.
            CHECK(contains(r.body, "Upgrade: websocket"));
        } else if (final_code != 206) {
            CHECK(r.body.starts_with(std::to_string(final_code) + " " + name_of(final_code)));
        }
    }

    // Location: 201 and every redirect but 304 (RFC 9110 §10.2.2, §15.4).
    if (has_location(final_code)) {
        CHECK(r.count("Location") == 1);
        CHECK(r.header("Location") == "/status/200");
    } else {
        CHECK_FALSE(r.has("Location"));
    }

    // RFC 6585 §3–6: these MUST NOT be stored by a cache.
    if (final_code == 428 || final_code == 429 || final_code == 431 || final_code == 511)
        CHECK(contains(lower(r.header("Cache-Control")), "no-store"));

    switch (final_code) {
        case 206: {
            std::size_t first = 0, last = 0, length = 0;
            REQUIRE(parse_content_range(r.header("Content-Range"), first, last, length));
            CHECK(first <= last);
            CHECK(last < length);
            CHECK(last - first + 1 == r.body.size());
            break;
        }
        case 300: {
            // RFC 9110 §15.4.1: a list of the choices, the preferred one in Location.
            CHECK(contains(r.body, "/status/200"));
            std::size_t links = 0;
            for (auto at = r.body.find("/status/"); at != std::string::npos; at = r.body.find("/status/", at + 1))
                ++links;
            CHECK(links >= 2);
            break;
        }
        case 304: CHECK_FALSE(r.header("ETag").empty()); break;
        case 401: CHECK(r.header("WWW-Authenticate").starts_with("Basic realm=\"teapot\"")); break;
        case 405: CHECK(contains(r.header("Allow"), "GET")); break;
        case 407: CHECK(r.header("Proxy-Authenticate").starts_with("Basic realm=")); break;
        case 408: CHECK(contains(lower(r.header("Connection")), "close")); break;
        case 416: {
            auto v = r.header("Content-Range");
            INFO("Content-Range: " << v);
            CHECK(v.starts_with("bytes */"));
            CHECK(is_digits(std::string_view{v}.substr(std::min<std::size_t>(v.size(), 8))));
            break;
        }
        case 426:
            CHECK(lower(r.header("Upgrade")) == "websocket");
            CHECK(contains(lower(r.header("Connection")), "upgrade"));
            break;
        case 429:
        case 503: CHECK(r.header("Retry-After") == "1"); break;
        case 451: CHECK(contains(r.header("Link"), "rel=\"blocked-by\"")); break;
        case 511: CHECK(contains(r.body, "/status/200")); break;
        default: break;
    }
}

void check_interim(int code, const std::vector<response>& interim, const std::string& raw) {
    REQUIRE(interim.size() == 1);
    const auto& i = interim.front();
    CHECK(i.status == code);
    CHECK(i.reason == name_of(code));
    // RFC 9110 §15.2, §8.6: an interim response ends at its header section.
    CHECK_FALSE(i.has("Content-Length"));
    CHECK_FALSE(i.has("Transfer-Encoding"));
    CHECK(raw.starts_with("HTTP/1.1 " + std::to_string(code) + " " + name_of(code) + "\r\n"));
    if (code == 103) {
        // RFC 8297 §2: Early Hints carry preload links.
        CHECK(contains(i.header("Link"), "rel=preload"));
    }
}

void check_sentinel(const exchange_result& x) {
    INFO("the pipelined GET /status/200 after it");
    CHECK(x.sentinel.status == 200);
    CHECK(x.sentinel.body.starts_with("200 OK"));
    CHECK(x.trailing.empty());
}

bool interim_code(int code) { return code == 100 || code == 102 || code == 103; }

}  // namespace

TEST_CASE("every catalogue code: GET /status/<code> sends its status line, fields and framing", "[catalogue]") {
    teapot::test::test_server server;
    REQUIRE(teapot::status_catalog().size() == 64);

    for (const auto& entry : teapot::status_catalog()) {
        const int code = entry.code;
        INFO("GET /status/" << code);
        auto target = "/status/" + std::to_string(code);
        try {
            if (code == 444) {
                // nginx's 444: the connection closes without a single byte.
                connection c{server.port(), 3s};
                c.send(request_text("GET", target) + std::string{closing_sentinel});
                CHECK(c.closed_without_data());
                continue;
            }
            if (code == 408) {
                // §15.5.9: Connection: close, then the server closes; the pipelined request gets nothing.
                connection c{server.port(), 3s};
                c.send(request_text("GET", target) + std::string{closing_sentinel});
                auto r = c.read_response();
                check_final(code, 408, r);
                CHECK(c.closed_without_data());
                continue;
            }
            auto x = exchange(server.port(), "GET", target);
            if (interim_code(code)) {
                check_interim(code, x.interim, x.raw);
                check_final(code, 200, x.final);
            } else {
                CHECK(x.interim.empty());
                check_final(code, code == 101 ? 426 : code, x.final);
            }
            check_sentinel(x);
        } catch (const std::exception& e) {
            FAIL_CHECK("GET /status/" << code << ": " << e.what());
        }
    }
}

TEST_CASE("every catalogue code: ?location= overrides Location on 201 and every redirect but 304", "[catalogue]") {
    teapot::test::test_server server;
    int checked = 0;
    for (const auto& entry : teapot::status_catalog()) {
        if (!has_location(entry.code)) continue;
        INFO("GET /status/" << entry.code << "?location=/x");
        auto r = teapot::test::fetch(server.port(), "/status/" + std::to_string(entry.code) + "?location=/x");
        CHECK(r.status == entry.code);
        CHECK(r.count("Location") == 1);
        CHECK(r.header("Location") == "/x");
        if (entry.code == 300) CHECK(contains(r.body, "/x"));
        ++checked;
    }
    CHECK(checked == 8);  // 201, 300, 301, 302, 303, 305, 307, 308
}

TEST_CASE("every catalogue code: HEAD /status/<code> has GET's status and fields and no content", "[catalogue]") {
    teapot::test::test_server server;

    for (const auto& entry : teapot::status_catalog()) {
        const int code = entry.code;
        INFO("HEAD /status/" << code);
        auto target = "/status/" + std::to_string(code);
        try {
            if (code == 444) {
                connection c{server.port(), 3s};
                c.send(request_text("HEAD", target) + std::string{closing_sentinel});
                CHECK(c.closed_without_data());
                continue;
            }
            if (code == 408) {
                connection get{server.port(), 3s};
                get.send(request_text("GET", target));
                auto g = get.read_response();
                connection c{server.port(), 3s};
                c.send(request_text("HEAD", target) + std::string{closing_sentinel});
                auto h = c.read_response(true);
                CHECK(h.status == 408);
                CHECK(h.reason == g.reason);
                CHECK(comparable_fields(h) == comparable_fields(g));
                CHECK(h.body.empty());
                // Closed right after the header section: no content, no answer to the next request.
                CHECK(c.closed_without_data());
                continue;
            }
            auto g = exchange(server.port(), "GET", target);
            auto h = exchange(server.port(), "HEAD", target);

            REQUIRE(h.interim.size() == g.interim.size());
            for (std::size_t i = 0; i < h.interim.size(); ++i) {
                CHECK(h.interim[i].status == g.interim[i].status);
                CHECK(comparable_fields(h.interim[i]) == comparable_fields(g.interim[i]));
            }
            // RFC 9110 §9.3.2: the same status and fields as GET (Content-Length included), no content.
            CHECK(h.final.status == g.final.status);
            CHECK(h.final.reason == g.final.reason);
            CHECK(comparable_fields(h.final) == comparable_fields(g.final));
            CHECK(h.final.header("Content-Length") == g.final.header("Content-Length"));
            CHECK(h.final.body.empty());
            // The pipelined request parses as its own response: HEAD sent no content bytes.
            check_sentinel(h);
        } catch (const std::exception& e) {
            FAIL_CHECK("HEAD /status/" << code << ": " << e.what());
        }
    }
}

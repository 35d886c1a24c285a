// A response head as bytes (http/head_bytes.cpp): the status line, Date and
// Server unless the head sets them, the head's fields in order, the framing
// fields, the empty line, and nothing else (the buffer is sized beforehand).

#include "wire/head_bytes.hpp"
#include "util/http_date.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace teapot::detail;

namespace {

message_head head_of(int status, std::string reason, std::vector<header_field> fields) {
    message_head h;
    h.status = status;
    h.reason = std::move(reason);
    h.headers = std::move(fields);
    return h;
}

std::string date_line() { return "Date: " + std::string{current_http_date()} + "\r\n"; }

// The head `write` appends, against `expected(date line)`: the second may turn
// during the call, so the date before it and the date after it both count.
template <class Write, class Expected>
bool written_as(Write write, Expected expected) {
    const auto before = date_line();
    std::string out;
    write(out);
    const auto after = date_line();
    if (out != expected(before) && out != expected(after)) {
        UNSCOPED_INFO("written: " << out);
        return false;
    }
    return true;
}

}  // namespace

TEST_CASE("head bytes: status line, Date, Server, fields in order, framing, empty line", "[head]") {
    auto head = head_of(418, "I'm a teapot", {{"Content-Type", "text/plain"}, {"Vary", "Accept"}});
    head_framing framing;
    framing.content_length = 75;
    framing.connection = "keep-alive";
    CHECK(written_as(
        [&](std::string& out) {
            out = "kept";  // appended to, never replaced
            append_head(out, head, "teapot/1", framing);
        },
        [](const std::string& date) {
            return "keptHTTP/1.1 418 I'm a teapot\r\n" + date +
                   "Server: teapot/1\r\nContent-Type: text/plain\r\nVary: Accept\r\n"
                   "Content-Length: 75\r\nConnection: keep-alive\r\n\r\n";
        }));
}

TEST_CASE("head bytes: the head's own Date and Server replace ours", "[head]") {
    auto head = head_of(200, "OK", {{"server", "other"}, {"DATE", "yesterday"}});
    std::string out;
    append_head(out, head, "teapot/1");
    CHECK(out == "HTTP/1.1 200 OK\r\nserver: other\r\nDATE: yesterday\r\n\r\n");
}

TEST_CASE("head bytes: the head's Connection merges with a close, and goes when another token is sent", "[head]") {
    head_framing closing;
    closing.connection = "close";
    CHECK(written_as(
        [&](std::string& out) {
            append_head(out, head_of(426, "Upgrade Required", {{"Upgrade", "websocket"}, {"Connection", "Upgrade"}}),
                        "t", closing);
        },
        [](const std::string& date) {
            return "HTTP/1.1 426 Upgrade Required\r\n" + date +
                   "Server: t\r\nUpgrade: websocket\r\nConnection: Upgrade, close\r\n\r\n";
        }));

    // Two Connection fields of the head, and a keep-alive: neither is sent, ours is.
    head_framing keep;
    keep.connection = "keep-alive";
    CHECK(written_as(
        [&](std::string& out) {
            append_head(out, head_of(200, "OK", {{"Connection", "a"}, {"X", "1"}, {"connection", "b"}}), "t", keep);
        },
        [](const std::string& date) {
            return "HTTP/1.1 200 OK\r\n" + date + "Server: t\r\nX: 1\r\nConnection: keep-alive\r\n\r\n";
        }));

    // Without a token of ours, the head's own fields go as they are.
    CHECK(written_as(
        [&](std::string& out) {
            append_head(out, head_of(200, "OK", {{"Connection", "a"}}), "t");
        },
        [](const std::string& date) { return "HTTP/1.1 200 OK\r\n" + date + "Server: t\r\nConnection: a\r\n\r\n"; }));
}

TEST_CASE("head bytes: chunked framing, an empty reason, the largest length", "[head]") {
    head_framing chunked;
    chunked.chunked = true;
    CHECK(written_as([&](std::string& out) { append_head(out, head_of(599, "", {}), "t", chunked); },
                     [](const std::string& date) {
                         return "HTTP/1.1 599 \r\n" + date + "Server: t\r\nTransfer-Encoding: chunked\r\n\r\n";
                     }));

    head_framing longest;
    longest.content_length = 18446744073709551615ULL;
    CHECK(written_as([&](std::string& out) { append_head(out, head_of(200, "OK", {}), "t", longest); },
                     [](const std::string& date) {
                         return "HTTP/1.1 200 OK\r\n" + date +
                                "Server: t\r\nContent-Length: 18446744073709551615\r\n\r\n";
                     }));
}

#include <catch2/catch.hpp>

#include "util/field_syntax.hpp"

#include <string>
#include <string_view>
#include <vector>

using teapot::detail::for_each_list_element;
using teapot::detail::is_field_value;
using teapot::detail::is_framing_field;
using teapot::detail::is_reason_phrase;
using teapot::detail::is_token;
using teapot::detail::list_has_token;
using teapot::detail::trim_ows;

using namespace std::string_view_literals;

TEST_CASE("trim_ows: spaces and tabs at either end, nothing else", "[field_syntax]") {
    CHECK(trim_ows(" \tgzip;q=0.5 \t") == "gzip;q=0.5");
    CHECK(trim_ows("a b") == "a b");
    CHECK(trim_ows(" \t ").empty());
    CHECK(trim_ows("").empty());
    CHECK(trim_ows("\r\nx\n") == "\r\nx\n");  // CR and LF are not OWS
}

TEST_CASE("is_token: 1*tchar", "[field_syntax]") {
    CHECK(is_token("Content-Type"));
    CHECK(is_token("X-Custom_1"));
    CHECK(is_token("a"));
    CHECK(is_token("!#$%&'*+-.^_`|~"));
    CHECK(is_token("0123456789abcxyzABCXYZ"));

    CHECK_FALSE(is_token(""));
    CHECK_FALSE(is_token("a b"));
    CHECK_FALSE(is_token("a\tb"));
    CHECK_FALSE(is_token("a:b"));
    CHECK_FALSE(is_token("text/plain"));
    CHECK_FALSE(is_token("a;b"));
    CHECK_FALSE(is_token("a,b"));
    CHECK_FALSE(is_token("\"quoted\""));
    CHECK_FALSE(is_token("(comment)"));
    CHECK_FALSE(is_token("a=b"));
    CHECK_FALSE(is_token("a@b"));
    CHECK_FALSE(is_token("a\\b"));
    CHECK_FALSE(is_token("{x}"));
    CHECK_FALSE(is_token("X-A\r\n"));
    CHECK_FALSE(is_token("\x7f"));
    CHECK_FALSE(is_token("caf\xc3\xa9"));
    CHECK_FALSE(is_token("a\0b"sv));
}

TEST_CASE("is_field_value: visible characters, obs-text and inner whitespace", "[field_syntax]") {
    CHECK(is_field_value("text/plain; charset=utf-8"));
    CHECK(is_field_value(""));  // field-value = *field-content
    CHECK(is_field_value("a"));
    CHECK(is_field_value("a b\tc"));
    CHECK(is_field_value("caf\xc3\xa9"));  // obs-text
    CHECK(is_field_value("\"quoted, with commas\""));
    CHECK(is_field_value("Sun, 06 Nov 1994 08:49:37 GMT"));
}

TEST_CASE("is_field_value rejects CR, LF, NUL and other controls", "[field_syntax]") {
    CHECK_FALSE(is_field_value("a\rb"));
    CHECK_FALSE(is_field_value("a\nb"));
    CHECK_FALSE(is_field_value("a\r\nSet-Cookie: evil=1"));
    CHECK_FALSE(is_field_value("\r\n"));
    CHECK_FALSE(is_field_value("a\0b"sv));
    CHECK_FALSE(is_field_value("\0"sv));
    CHECK_FALSE(is_field_value("a\x01z"));
    CHECK_FALSE(
        is_field_value("a\x1f"
                       "z"));
    CHECK_FALSE(is_field_value("a\x7fz"));
    CHECK_FALSE(is_field_value("value\r"));
    CHECK_FALSE(is_field_value("value\n"));
}

TEST_CASE("is_field_value rejects leading and trailing whitespace", "[field_syntax]") {
    // field-value = *field-content; field-content starts and ends with a visible character.
    CHECK_FALSE(is_field_value(" a"));
    CHECK_FALSE(is_field_value("a "));
    CHECK_FALSE(is_field_value("\ta"));
    CHECK_FALSE(is_field_value("a\t"));
    CHECK_FALSE(is_field_value(" "));
}

TEST_CASE("is_reason_phrase: 1*( HTAB / SP / VCHAR / obs-text )", "[field_syntax]") {
    CHECK(is_reason_phrase("I'm a teapot"));
    CHECK(is_reason_phrase("OK"));
    CHECK(is_reason_phrase("Request-URI Too Long"));
    CHECK(is_reason_phrase("Demandes r\xc3\xa9ussies"));
    CHECK(is_reason_phrase(" "));
    CHECK(is_reason_phrase("a\tb"));

    CHECK_FALSE(is_reason_phrase(""));
    CHECK_FALSE(is_reason_phrase("OK\r\nSet-Cookie: evil=1"));
    CHECK_FALSE(is_reason_phrase("OK\r"));
    CHECK_FALSE(is_reason_phrase("OK\n"));
    CHECK_FALSE(is_reason_phrase("O\0K"sv));
    CHECK_FALSE(is_reason_phrase("O\x7fK"));
    CHECK_FALSE(is_reason_phrase("O\x08K"));
}

TEST_CASE("is_framing_field names the fields a knob may not set", "[field_syntax]") {
    for (const char* name :
         {"Content-Length", "content-length", "CONTENT-LENGTH", "Transfer-Encoding", "transfer-encoding", "Connection",
          "connection", "Keep-Alive", "Upgrade", "Trailer", "TE", "te", "Proxy-Connection"}) {
        INFO(name);
        CHECK(is_framing_field(name));
    }
    for (const char* name : {"", "Content-Type", "Content-Encoding", "X-Custom", "Location", "Set-Cookie",
                             "Content-Length ", " Content-Length", "Content-Lengths", "T", "TE2", "Trailers"}) {
        INFO("'" << name << "'");
        CHECK_FALSE(is_framing_field(name));
    }
}

TEST_CASE("list elements: trimmed of OWS, empty ones skipped, stopped on request", "[field_syntax]") {
    auto elements = [](std::string_view list) {
        std::vector<std::string> out;
        for_each_list_element(list, [&out](std::string_view e) {
            out.emplace_back(e);
            return true;
        });
        return out;
    };
    CHECK(elements("a, b ,\tc") == std::vector<std::string>{"a", "b", "c"});
    CHECK(elements(" , a,, ,b,") == std::vector<std::string>{"a", "b"});  // RFC 9110 §5.6.1: empty elements
    CHECK(elements("").empty());
    CHECK(elements(" ,\t, ").empty());
    CHECK(elements("text/html;q=0.5, */*") == std::vector<std::string>{"text/html;q=0.5", "*/*"});
    int seen = 0;
    CHECK_FALSE(for_each_list_element("a, b, c", [&seen](std::string_view e) {
        ++seen;
        return e != "b";
    }));
    CHECK(seen == 2);
}

TEST_CASE("list_has_token: an element equal to the token, case-insensitively", "[field_syntax]") {
    CHECK(list_has_token("keep-alive, Upgrade", "upgrade"));
    CHECK(list_has_token("websocket", "WebSocket"));
    CHECK_FALSE(list_has_token("upgraded, x-upgrade", "upgrade"));
    CHECK_FALSE(list_has_token("", "upgrade"));
    CHECK_FALSE(list_has_token(" , ", "upgrade"));
}

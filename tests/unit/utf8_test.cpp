// UTF-8 checks and repair, and JSON text that is valid UTF-8 whatever its
// strings hold (RFC 8259 §8.1).

#include "util/utf8.hpp"
#include "util/json_text.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

#include <string>

using namespace teapot::detail;

TEST_CASE("utf8: well-formed as RFC 3629 says", "[utf8]") {
    CHECK(is_utf8(""));
    CHECK(is_utf8("plain ASCII, long enough to be checked eight bytes at a time"));
    CHECK(is_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));  // é € 😀
    CHECK_FALSE(is_utf8("caf\xE9"));                              // latin-1 é
    CHECK_FALSE(is_utf8("\xFF"));
    CHECK_FALSE(is_utf8("\x80"));                  // a continuation byte alone
    CHECK_FALSE(is_utf8("\xC0\x80"));              // overlong NUL
    CHECK_FALSE(is_utf8("\xED\xA0\x80"));          // a surrogate (U+D800)
    CHECK_FALSE(is_utf8("\xF4\x90\x80\x80"));      // above U+10FFFF
    CHECK_FALSE(is_utf8("\xE2\x82"));              // cut short
    CHECK_FALSE(is_utf8("0123456789abcdef\xFF"));  // after a run of ASCII
}

TEST_CASE("utf8: repair replaces what is ill-formed and leaves ASCII alone", "[utf8]") {
    CHECK(repaired_utf8("caf\xC3\xA9") == "caf\xC3\xA9");
    CHECK(repaired_utf8("a\xFF"
                        "b") ==
          "a\xEF\xBF\xBD"
          "b");
    CHECK(repaired_utf8("\xC3\"") == "\xEF\xBF\xBD\"");  // the quote after a bad lead byte stays
    CHECK(repaired_utf8("\xE2\x82") == "\xEF\xBF\xBD");
    CHECK(repaired_utf8("\x80\x80\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK(is_utf8(repaired_utf8("\xC0\x80\xED\xA0\x80\xF4\x90\x80\x80 ok")));
}

TEST_CASE("utf8: a cut never splits a character", "[utf8]") {
    const std::string s =
        "a\xE2\x82\xAC"
        "b";  // a € b
    CHECK(utf8_cut(s, 0) == 0);
    CHECK(utf8_cut(s, 1) == 1);
    CHECK(utf8_cut(s, 2) == 1);
    CHECK(utf8_cut(s, 3) == 1);
    CHECK(utf8_cut(s, 4) == 4);
    CHECK(utf8_cut(s, 99) == 5);
}

TEST_CASE("json_text: strings that are not UTF-8 come out repaired, the JSON intact", "[utf8]") {
    boost::json::object o{{"path", "/\xFF\"x"}, {"\xFEkey", "v"}, {"fine", "caf\xC3\xA9"}};
    const auto text = json_text(o);
    CHECK(is_utf8(text));
    // Boost.JSON's parser checks UTF-8 in strings: it takes the text back.
    auto back = boost::json::parse(text).as_object();
    CHECK(back.at("path") == "/\xEF\xBF\xBD\"x");
    CHECK(back.at("fine") == "caf\xC3\xA9");
    CHECK(back.contains("\xEF\xBF\xBDkey"));
    CHECK(json_size(o) == boost::json::serialize(o).size());
    CHECK_THROWS(boost::json::parse("\"\xFF\""));  // the parser the tests trust is strict
}

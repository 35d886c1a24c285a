// JSON as httpbin writes it (Python's json.dumps with sort_keys, ensure_ascii and
// compact separators): each expected text below is what Python 3.11 prints.

#include <catch2/catch.hpp>

#include "util/python_json.hpp"

#include <boost/json/parse.hpp>

#include <limits>

using teapot::detail::python_json_text;
namespace json = boost::json;

TEST_CASE("python json: keys sorted at every depth, compact separators", "[python_json]") {
    auto v = json::parse(R"({"b":[1,{"z":true,"a":null}],"a":"x","B":{}})");
    CHECK(python_json_text(v) == R"({"B":{},"a":"x","b":[1,{"a":null,"z":true}]})");
}

TEST_CASE("python json: every character outside printable ASCII is escaped as uXXXX", "[python_json]") {
    // json.dumps("é\x01\x7f\n\t\"\\/😀")
    json::value v = json::string{"\xC3\xA9\x01\x7F\n\t\"\\/\xF0\x9F\x98\x80"};
    CHECK(python_json_text(v) == R"("\u00e9\u0001\u007f\n\t\"\\/\ud83d\ude00")");
    // Bytes that are not UTF-8 are U+FFFD, one per bad lead byte, as Python's errors="replace".
    CHECK(python_json_text(json::string{"a\xFF"
                                        "b"}) == R"("a\ufffdb")");
    CHECK(python_json_text(json::string{"\xE2\x82"}) == R"("\ufffd\ufffd")");
}

TEST_CASE("python json: doubles as Python's repr, integers whole", "[python_json]") {
    CHECK(python_json_text(json::value(2.5)) == "2.5");
    CHECK(python_json_text(json::value(1.0)) == "1.0");
    CHECK(python_json_text(json::value(100.0)) == "100.0");
    CHECK(python_json_text(json::value(-0.0)) == "-0.0");
    CHECK(python_json_text(json::value(0.0001)) == "0.0001");
    CHECK(python_json_text(json::value(0.00001)) == "1e-05");
    CHECK(python_json_text(json::value(1e16)) == "1e+16");
    CHECK(python_json_text(json::value(123456789012345.6)) == "123456789012345.6");
    CHECK(python_json_text(json::value(1e100)) == "1e+100");
    CHECK(python_json_text(json::value(-1.5e-300)) == "-1.5e-300");
    CHECK(python_json_text(json::value(0.1)) == "0.1");
    CHECK(python_json_text(json::value(std::int64_t{-42})) == "-42");
    CHECK(python_json_text(json::parse("[1e999,-1e999]")) == "[null,null]");  // Python: Infinity, not JSON
    CHECK(python_json_text(json::value(std::numeric_limits<std::uint64_t>::max())) == "18446744073709551615");
}

#pragma once
// JSON as httpbin writes it: Flask's json.dumps with sort_keys, ensure_ascii and
// compact separators, so that a suite which compares httpbin's bytes (or keys in
// order) passes against teapot. Boost.JSON 1.81's serializer has no option for
// any of the three (and writes 2.5 as 2.5E0): this is a writer, never a parser.

#include <boost/json/value.hpp>

#include <string>

namespace teapot::detail {

/// `value` as Python 3's json.dumps(value, sort_keys=True, ensure_ascii=True,
/// separators=(",", ":")): keys sorted at every depth (by code point, as UTF-8 bytes
/// sort), every character outside printable ASCII as \uXXXX (a surrogate pair above
/// U+FFFF; bytes that are not UTF-8 as \ufffd), a double as Python's repr writes it (one that
/// is not finite as null: Python's Infinity and NaN are not JSON).
/// json.dumps' other choices: httpbin's /stream writes with the defaults (keys in the order
/// made, ", " and ": "), where jsonify sorts and compacts.
struct python_json_style {
    bool sort_keys = true;
    bool compact = true;
};

std::string python_json_text(const boost::json::value& value, python_json_style style = {});

}  // namespace teapot::detail

#include "util/python_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/locale/utf.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace teapot::detail {
namespace {

namespace utf = boost::locale::utf;

void append_u_escape(std::string& out, unsigned unit) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", unit & 0xFFFF);
    out.append(buf, 6);
}

// Python's ensure_ascii: "\\" and '"' escaped, \n \r \t \b \f by name, every other byte
// outside 0x20-0x7E (DEL included) as \u: one escape per character, two above U+FFFF.
void append_string(std::string& out, std::string_view s) {
    out.push_back('"');
    const char* p = s.data();
    const char* end = p + s.size();
    // Printable ASCII but '"' and '\\' goes out as it is: copied a run at a time, not a byte.
    static constexpr auto plain = [] {
        std::array<bool, 256> table{};
        for (int c = 0x20; c < 0x7F; ++c) table[static_cast<std::size_t>(c)] = c != '"' && c != '\\';
        return table;
    }();
    while (p != end) {
        const char* run = p;
        while (run != end && plain[static_cast<unsigned char>(*run)]) ++run;
        out.append(p, run);
        p = run;
        if (p == end) break;
        const auto c = static_cast<unsigned char>(*p);
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
            ++p;
            continue;
        }
        switch (c) {
            case '\n':
                out.append("\\n");
                ++p;
                continue;
            case '\r':
                out.append("\\r");
                ++p;
                continue;
            case '\t':
                out.append("\\t");
                ++p;
                continue;
            case '\b':
                out.append("\\b");
                ++p;
                continue;
            case '\f':
                out.append("\\f");
                ++p;
                continue;
            default: break;
        }
        if (c < 0x80) {
            append_u_escape(out, c);
            ++p;
            continue;
        }
        const char* start = p;
        auto code = utf::utf_traits<char>::decode(p, end);
        if (code == utf::illegal || code == utf::incomplete) {
            code = 0xFFFD;  // as Python decodes with errors="replace": one per bad lead byte
            p = start + 1;
        }
        if (code >= 0x10000) {
            code -= 0x10000;
            append_u_escape(out, 0xD800 + (code >> 10));
            append_u_escape(out, 0xDC00 + (code & 0x3FF));
        } else {
            append_u_escape(out, code);
        }
    }
    out.push_back('"');
}

// Python's float repr: the shortest digits that round-trip, fixed between 1e-4 and 1e16
// (with ".0" when whole), else scientific as "1e+100" / "2.5e-07".
void append_double(std::string& out, double d) {
    if (!std::isfinite(d)) {
        out.append("null");  // 1e999 parses to infinity; Python would write Infinity, which is not JSON
        return;
    }
    char sci[64];
    auto [end, ec] = std::to_chars(sci, sci + sizeof sci, d, std::chars_format::scientific);
    std::string_view text{sci, static_cast<std::size_t>(end - sci)};
    std::string sign;
    if (text.starts_with('-')) {
        sign = "-";
        text.remove_prefix(1);
    }
    const auto e = text.find('e');
    std::string digits{text.substr(0, 1)};
    if (e > 1) digits.append(text.substr(2, e - 2));  // past "d."
    const int exponent = std::atoi(std::string{text.substr(e + 1)}.c_str());
    out.append(sign);
    if (exponent >= -4 && exponent < 16) {
        if (exponent < 0) {
            out.append("0.").append(static_cast<std::size_t>(-exponent - 1), '0').append(digits);
        } else if (static_cast<std::size_t>(exponent) + 1 >= digits.size()) {
            out.append(digits).append(static_cast<std::size_t>(exponent) + 1 - digits.size(), '0').append(".0");
        } else {
            out.append(digits.substr(0, static_cast<std::size_t>(exponent) + 1))
                .append(".")
                .append(digits.substr(static_cast<std::size_t>(exponent) + 1));
        }
        return;
    }
    out.append(digits.substr(0, 1));
    if (digits.size() > 1) out.append(".").append(digits.substr(1));
    char exp[16];
    std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out.append(exp);
}

void append_value(std::string& out, const boost::json::value& v, python_json_style style) {
    switch (v.kind()) {
        case boost::json::kind::null: out.append("null"); return;
        case boost::json::kind::bool_: out.append(v.get_bool() ? "true" : "false"); return;
        case boost::json::kind::int64: out.append(std::to_string(v.get_int64())); return;
        case boost::json::kind::uint64: out.append(std::to_string(v.get_uint64())); return;
        case boost::json::kind::double_: append_double(out, v.get_double()); return;
        case boost::json::kind::string: append_string(out, v.get_string()); return;
        case boost::json::kind::array: {
            out.push_back('[');
            bool first = true;
            for (const auto& item : v.get_array()) {
                if (!first) out.append(style.compact ? "," : ", ");
                first = false;
                append_value(out, item, style);
            }
            out.push_back(']');
            return;
        }
        case boost::json::kind::object: {
            std::vector<const boost::json::key_value_pair*> members;
            for (const auto& kv : v.get_object()) members.push_back(&kv);
            if (style.sort_keys)
                std::sort(members.begin(), members.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
            out.push_back('{');
            bool first = true;
            for (const auto* kv : members) {
                if (!first) out.append(style.compact ? "," : ", ");
                first = false;
                append_string(out, kv->key());
                out.append(style.compact ? ":" : ": ");
                append_value(out, kv->value(), style);
            }
            out.push_back('}');
            return;
        }
    }
}

}  // namespace

std::string python_json_text(const boost::json::value& value, python_json_style style) {
    std::string out;
    append_value(out, value, style);
    return out;
}

}  // namespace teapot::detail

#include "scenario/matcher.hpp"

#include "scenario/regex.hpp"

#include <boost/json/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <stdexcept>
#include <string_view>

namespace teapot::detail::scenario {
namespace {

constexpr std::size_t max_quoted = 60;

// Values go into reasons quoted and cut short: a reason is one readable line.
std::string quoted(std::string_view v) {
    std::string out = "\"";
    if (v.size() > max_quoted) {
        out.append(v.substr(0, max_quoted)).append("...");
    } else {
        out.append(v);
    }
    out.append("\"");
    return out;
}

// RE2 takes time linear in the subject, but in the worst case (a subject that drives the
// DFA through new states each byte) about proportional to program size × subject bytes:
// measured up to 13 ns a unit (docs/scenarios.md). A match whose work would exceed the
// budget is not run, so no regex holds an I/O thread longer than about budget × that:
// the request is a 500 naming the regex and the numbers instead.
void check_work(const compiled_regex& re, const std::string& source, std::string_view what, std::size_t bytes,
                std::uint64_t budget) {
    if (re.work(bytes) <= budget) return;
    std::string message = "the regex ~";
    message.append(source, 0, std::min(source.size(), max_quoted));
    if (source.size() > max_quoted) message.append("...");
    message.append(" (").append(std::to_string(re.program_size())).append(" RE2 instructions) was not run against ");
    message.append(what).append(" of ").append(std::to_string(bytes)).append(" bytes: ");
    message.append(std::to_string(re.program_size())).append(" x ").append(std::to_string(bytes));
    message.append(" exceeds --max-regex-work (").append(std::to_string(budget)).append(")");
    throw std::runtime_error(message);
}

bool regex_finds(const compiled_regex* re, const std::string& source, std::string_view what, std::string_view v,
                 std::uint64_t budget) {
    if (!re) return false;
    check_work(*re, source, what, v.size(), budget);
    return re->search(v);
}

// One value test against the values a request carries for a name (none: absent).
// Returns an empty string when it passes, else the reason without the subject.
template <typename Values>
std::string test_values(const value_matcher& vm, const Values& values, std::string_view what, std::uint64_t budget) {
    switch (vm.how) {
        case value_matcher::kind::present: return values.empty() ? "is missing" : "";
        case value_matcher::kind::absent:
            return values.empty() ? "" : "is present (" + quoted(values.front()) + "), expected absent";
        case value_matcher::kind::exact:
            if (values.empty()) return "is missing";
            for (std::string_view v : values)
                if (v == vm.text) return "";
            return "is " + quoted(values.front()) + ", not " + quoted(vm.text);
        case value_matcher::kind::regex:
            if (values.empty()) return "is missing";
            for (std::string_view v : values)
                if (regex_finds(vm.regex.get(), vm.text, what, v, budget)) return "";
            return quoted(values.front()) + " does not match ~" + vm.text;
    }
    return {};
}

std::string join_methods(const std::vector<std::string>& methods) {
    if (methods.size() == 1) return methods.front();
    std::string out = "one of ";
    for (std::size_t i = 0; i < methods.size(); ++i) {
        if (i) out.append(", ");
        out.append(methods[i]);
    }
    return out;
}

std::string pattern_text(const path_matcher& pm) {
    if (!pm.text.empty()) return pm.text;
    std::string out;
    for (const auto& s : pm.segments) out.append("/").append(s);
    return out.empty() ? "/" : out;
}

bool is_capture(const std::string& segment) {
    return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

std::string test_path(const path_matcher& pm, const match_subject& s,
                      std::vector<std::pair<std::string, std::string>>& captures) {
    const std::string& path = s.path();
    switch (pm.how) {
        case path_matcher::kind::exact: return path == pm.text ? "" : "path " + path + " is not " + pm.text;
        case path_matcher::kind::regex:
            if (pm.regex) check_work(*pm.regex, pm.text, "the path", path.size(), s.max_regex_work());
            if (pm.regex && pm.regex->full_match(path)) return "";
            return "path " + path + " does not match ~" + pm.text;
        case path_matcher::kind::pattern: {
            const auto& got = s.segments();
            bool fits = got.size() == pm.segments.size();
            for (std::size_t i = 0; fits && i < got.size(); ++i) {
                const auto& want = pm.segments[i];
                if (is_capture(want)) {
                    // A capture takes one whole, non-empty segment.
                    if (got[i].empty())
                        fits = false;
                    else
                        captures.emplace_back(want.substr(1, want.size() - 2), got[i]);
                } else if (got[i] != want) {
                    fits = false;
                }
            }
            if (fits) return "";
            captures.clear();
            return "path " + path + " does not fit " + pattern_text(pm);
        }
    }
    return {};
}

std::string test_query(const route_match& m, const match_subject& s) {
    for (const auto& [name, vm] : m.query) {
        std::vector<std::string_view> values;
        for (const auto& [k, v] : s.query())
            if (k == name) values.push_back(v);
        auto why = test_values(vm, values, "query " + name, s.max_regex_work());
        if (!why.empty()) return "query " + name + " " + why;
    }
    return {};
}

std::string test_headers(const route_match& m, const match_subject& s) {
    for (const auto& [name, vm] : m.headers) {
        std::vector<std::string_view> values;
        if (s.req().has_header(name)) values.push_back(s.req().header(name));
        auto why = test_values(vm, values, "header " + name, s.max_regex_work());
        if (!why.empty()) return "header " + name + " " + why;
    }
    return {};
}

std::string test_body(const body_matcher& bm, const match_subject& s) {
    std::string_view body = s.req().body;
    switch (bm.how) {
        case body_matcher::kind::any: return "";
        case body_matcher::kind::contains:
            return body.find(bm.text) != std::string_view::npos ? "" : "body does not contain " + quoted(bm.text);
        case body_matcher::kind::equals: return body == bm.text ? "" : "body is not exactly " + quoted(bm.text);
        case body_matcher::kind::regex:
            if (regex_finds(bm.regex.get(), bm.text, "the body", body, s.max_regex_work())) return "";
            return "body does not match ~" + bm.text;
        case body_matcher::kind::json: {
            const auto* actual = s.json_body();
            if (!actual && s.json_too_deep())
                return "body JSON is nested deeper than " + std::to_string(max_json_body_depth) +
                       " levels, more than teapot parses to match it";
            if (!actual) return "body is not JSON";
            std::string where;
            if (json_contains(*actual, bm.json, where)) return "";
            return "body JSON differs at " + (where.empty() ? std::string{"the root"} : where);
        }
    }
    return {};
}

// RFC 6901 §3: "~" and "/" in a member name are escaped in a JSON Pointer.
std::string pointer_token(std::string_view key) {
    std::string out;
    for (char c : key) {
        if (c == '~')
            out.append("~0");
        else if (c == '/')
            out.append("~1");
        else
            out.push_back(c);
    }
    return out;
}

bool json_contains_at(const boost::json::value& actual, const boost::json::value& expected, std::string& where) {
    if (!expected.is_object()) return actual == expected;
    if (!actual.is_object()) return false;
    const auto& have = actual.get_object();
    for (const auto& member : expected.get_object()) {
        auto size_before = where.size();
        where.append("/").append(pointer_token(member.key()));
        const auto* found = have.if_contains(member.key());
        if (!found || !json_contains_at(*found, member.value(), where)) return false;
        where.resize(size_before);
    }
    return true;
}

}  // namespace

match_subject::match_subject(const request& req, std::uint64_t max_regex_work)
    : req_(req), max_regex_work_(max_regex_work) {
    // Origin-form is what clients send; absolute-form is what they send to a proxy (RFC 9112 §3.2).
    auto parsed = req.target.starts_with('/') ? boost::urls::parse_origin_form(req.target)
                                              : boost::urls::parse_absolute_uri(req.target);
    if (!parsed) return;
    target_valid_ = true;
    path_ = parsed->path();
    // push_back, not = "/": g++ 12 sees a false overlap in the inlined assign (-Wrestrict).
    if (path_.empty()) path_.push_back('/');
    for (auto seg : parsed->segments()) segments_.push_back(seg);
    for (auto p : parsed->params()) {
        // "?", "?a=1&" and "?&&a=1" hold empty pairs, which form decoding skips.
        if (p.key.empty() && !p.has_value) continue;
        query_.emplace_back(p.key, p.has_value ? p.value : std::string{});
    }
}

const std::string* match_subject::query_value(std::string_view name) const noexcept {
    for (const auto& [k, v] : query_)
        if (k == name) return &v;
    return nullptr;
}

const boost::json::value* match_subject::json_body() const {
    if (!json_) {
        boost::system::error_code ec;
        boost::json::parse_options limits;
        limits.max_depth = max_json_body_depth;
        auto v = boost::json::parse(req_.body, ec, {}, limits);
        json_too_deep_ = ec == boost::json::error::too_deep;
        json_.emplace(ec ? std::nullopt : std::optional<boost::json::value>{std::move(v)});
    }
    return *json_ ? &**json_ : nullptr;
}

bool json_contains(const boost::json::value& actual, const boost::json::value& expected, std::string& where) {
    where.clear();
    return json_contains_at(actual, expected, where);
}

bool method_matches(const route_match& m, std::string_view method) {
    auto listed = [&](std::string_view name) {
        return std::find(m.methods.begin(), m.methods.end(), name) != m.methods.end();
    };
    // HEAD is GET without the content (RFC 9110 §9.3.2): a GET route answers it, with the same headers.
    return m.methods.empty() || listed(method) || (method == "HEAD" && listed("GET"));
}

match_result match(const route_match& m, const match_subject& s) {
    match_result r;
    auto fail = [&](criterion c, std::string why) {
        r.failed = c;
        r.reason = std::move(why);
        r.captures.clear();
        return r;
    };

    if (!method_matches(m, s.req().method)) {
        // Tested only on this (rare) failure, for the 404's nearest route: never on a match.
        std::vector<std::pair<std::string, std::string>> unused;
        r.only_method_failed = m.path && s.target_valid() && test_path(*m.path, s, unused).empty();
        return fail(criterion::method, "method " + std::string{s.req().method} + " is not " + join_methods(m.methods));
    }
    r.passed = 1;

    if (m.path) {
        if (!s.target_valid()) return fail(criterion::path, "target " + quoted(s.req().target) + " is malformed");
        auto why = test_path(*m.path, s, r.captures);
        if (!why.empty()) return fail(criterion::path, std::move(why));
    }
    r.passed = 2;

    if (auto why = test_query(m, s); !why.empty()) return fail(criterion::query, std::move(why));
    r.passed = 3;

    if (auto why = test_headers(m, s); !why.empty()) return fail(criterion::headers, std::move(why));
    r.passed = 4;

    if (auto why = test_body(m.body, s); !why.empty()) return fail(criterion::body, std::move(why));
    r.passed = 5;

    r.matched = true;
    return r;
}

match_result match(const route_match& m, const request& req) { return match(m, match_subject{req}); }

}  // namespace teapot::detail::scenario

// Fuzz target: scenario regexes, through the loader and the matcher. The input
// is NUL-separated parts, so that seeds stay readable: WHERE \0 PATTERN \0 SUBJECT,
// where WHERE is path, query, header or body (any other text: its first byte
// picks one). PATTERN becomes that matcher of a scenario (escaped into a YAML
// double-quoted string, so every byte reaches RE2), the scenario is loaded, and
// when it loads, matched against a request carrying SUBJECT in that place.
// Promises checked: a pattern that does not load is an error at the regex's
// file:line:col that says what is wrong (and, for what RE2 lacks, what to write
// instead); a loaded regex's program is within the bound; a match runs only
// within --max-regex-work, and then in time about linear in that work; a path
// matches whole and a value anywhere, as RE2 itself says.

#include "scenario/regex.hpp"
#include "fuzz_check.hpp"
#include "plan/request.hpp"
#include "scenario/loader.hpp"
#include "scenario/matcher.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

using namespace teapot::detail;
using namespace teapot::detail::scenario;

using teapot::fuzz::check;
using teapot::fuzz::cut;

namespace {

enum class where { path, query, header, body };

where where_of(std::string_view word) {
    if (word == "path") return where::path;
    if (word == "query") return where::query;
    if (word == "header") return where::header;
    if (word == "body") return where::body;
    return static_cast<where>(word.empty() ? 0 : static_cast<unsigned char>(word.front()) % 4);
}

// Every byte as itself inside a YAML double-quoted scalar (YAML 1.2 §7.3.1): the
// escapes \\ and \", and \xNN for C0 controls and DEL, which YAML does not allow raw.
// Bytes from 0x80 stay raw: yaml-cpp passes them through.
std::string yaml_quoted(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '\\' || c == '"') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (c < 0x20 || c == 0x7f) {
            out.append("\\x").push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    out.push_back('"');
    return out;
}

std::string percent_encoded(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        out.push_back('%');
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
    }
    return out;
}

// The regex as loaded, wherever WHERE put it.
const compiled_regex* loaded_regex(const route_match& m, where w, std::string& source) {
    switch (w) {
        case where::path: source = m.path->text; return m.path->regex.get();
        case where::query: source = m.query.at(0).second.text; return m.query.at(0).second.regex.get();
        case where::header: source = m.headers.at(0).second.text; return m.headers.at(0).second.regex.get();
        case where::body: source = m.body.text; return m.body.regex.get();
    }
    return nullptr;
}

bool is_plain(std::string_view s) {
    for (unsigned char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return false;
    return !s.empty();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest{reinterpret_cast<const char*>(data), size};
    const where w = where_of(cut(rest, '\0'));
    const std::string_view pattern = cut(rest, '\0');
    const std::string_view subject = rest;

    const std::string value = yaml_quoted((w == where::body ? "" : "~") + std::string{pattern});
    std::string matcher_yaml;
    switch (w) {
        case where::path: matcher_yaml = "{ path: " + value + " }"; break;
        case where::query: matcher_yaml = "{ query: { q: " + value + " } }"; break;
        case where::header: matcher_yaml = "{ headers: { X-F: " + value + " } }"; break;
        case where::body: matcher_yaml = "{ body: { regex: " + value + " } }"; break;
    }
    // The regex is on line 4, from column 12.
    const std::string yaml = "name: f\nroutes:\n  - id: r\n    match: " + matcher_yaml + "\n    steps: [{}]\n";
    auto loaded = load_scenario_text(yaml, "fuzz.yaml", std::nullopt);

    if (!loaded.ok()) {
        check(loaded.scenarios.empty(), "scenarios returned beside errors");
        const std::string label = w == where::path     ? "'path'"
                                  : w == where::query  ? "'q'"
                                  : w == where::header ? "'X-F'"
                                                       : "'regex'";
        for (const auto& e : loaded.errors) {
            const auto text = e.to_string();
            check(e.where.file == "fuzz.yaml" && e.where.line == 4 && e.where.column > 12,
                  "a regex error not at the regex", text);
            check(e.message.starts_with(label + " ") && e.message.find("regular expression") != std::string::npos,
                  "an error that is not about the regex", text);
            if (e.message.starts_with(label + " has a regular expression RE2 cannot run, "))
                check(e.message.find("does not support (it never backtracks); ") != std::string::npos,
                      "an unsupported form without what to write instead", text);
        }
        return 0;
    }
    check(loaded.scenarios.size() == 1 && loaded.scenarios[0].routes.size() == 1, "not one route");
    const route_match& m = loaded.scenarios[0].routes[0].match;
    std::string source;
    const compiled_regex* re = loaded_regex(m, w, source);
    check(re != nullptr, "a regex matcher without a compiled regex", source);
    check(re->program_size() <= max_regex_program, "a program beyond the bound", std::to_string(re->program_size()));
    check(source.size() <= max_regex_bytes, "a source beyond the bound", std::to_string(source.size()));

    // The request, with the subject where the regex looks.
    request req;
    req.method = "POST";
    req.target = "/";
    std::string target, header_value;
    switch (w) {
        case where::path: target = "/" + percent_encoded(subject); break;
        case where::query: target = "/?q=" + percent_encoded(subject); break;
        case where::header: header_value = subject; break;
        case where::body: break;
    }
    if (!target.empty()) req.target = target;
    if (w == where::header) req.headers = {{"X-F", header_value}};
    if (w == where::body) req.body = subject;
    // The bytes the regex is matched against: the decoded path holds the leading slash.
    const std::size_t bytes = w == where::path ? subject.size() + 1 : subject.size();

    const auto work = re->work(bytes);
    const auto started = std::chrono::steady_clock::now();
    bool refused = false;
    match_result result;
    try {
        result = teapot::detail::scenario::match(m, match_subject{req, default_max_regex_work});
    } catch (const std::runtime_error& e) {
        refused = true;
        check(std::string_view{e.what()}.find(" RE2 instructions) was not run against ") != std::string_view::npos,
              "a refusal that does not say why", e.what());
    }
    const auto took = std::chrono::steady_clock::now() - started;
    check(refused == (work > default_max_regex_work), "refused or run against the budget", std::to_string(work));
    // RE2 is not instrumented; about 12 ns per unit of work was its slowest on the bench
    // (docs/scenarios.md): 200 ns plus 50 ms of slack catches anything not linear.
    check(took <= std::chrono::nanoseconds{200 * work} + std::chrono::milliseconds{50}, "a match beyond its bound",
          std::to_string(work) + " units took " +
              std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()) + " ms");
    if (refused) return 0;
    check(result.matched || !result.reason.empty(), "a miss without a reason");

    // What RE2 says about the same subject, asked another way.
    std::string_view matched_against = subject;
    std::string path;
    if (w == where::path) {
        path = "/" + std::string{subject};
        matched_against = path;
        auto whole = compile_regex("\\A(?:" + source + ")\\z");
        if (whole.regex)
            check(whole.regex->search(matched_against) == re->full_match(matched_against),
                  "a path match that is not a whole match", source);
    } else if (is_plain(source)) {
        check(re->search(matched_against) == (matched_against.find(source) != std::string_view::npos),
              "a plain pattern not found where it is", source);
    }
    const bool expected = w == where::path ? re->full_match(matched_against) : re->search(matched_against);
    check(result.matched == expected, "the matcher and RE2 disagree", source);
    return 0;
}

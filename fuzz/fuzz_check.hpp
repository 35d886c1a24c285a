#pragma once
// What every fuzz target asserts beyond "no crash": an invariant that does not
// hold is a finding, reported as a crash with its reason so libFuzzer keeps the input.

#include "plan/response_plan.hpp"
#include "util/field_syntax.hpp"

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace teapot::fuzz {

/// The input's next piece up to `separator` (targets that take several values split
/// their bytes on NUL); `rest` keeps what follows it, and is empty after the last.
inline std::string_view cut(std::string_view& rest, char separator) {
    auto at = rest.find(separator);
    auto piece = rest.substr(0, at);
    rest = at == std::string_view::npos ? std::string_view{} : rest.substr(at + 1);
    return piece;
}

[[noreturn]] inline void fail(std::string_view what, std::string_view detail = {}) {
    std::fprintf(stderr, "fuzz invariant broken: %.*s [%.*s]\n", static_cast<int>(what.size()), what.data(),
                 static_cast<int>(detail.size()), detail.data());
    std::abort();
}

inline void check(bool condition, std::string_view what, std::string_view detail = {}) {
    if (!condition) fail(what, detail);
}

inline bool has_line_break(std::string_view s) { return s.find_first_of(std::string_view{"\r\n\0", 3}) != s.npos; }

// The README's promise: nothing from a request or a knob can inject CR/LF or
// NUL into a head, so every head teapot sends is one well-formed head.
inline void check_head(const detail::message_head& head) {
    check(head.status >= 100 && head.status <= 999, "status out of range", std::to_string(head.status));
    check(!has_line_break(head.reason), "CR, LF or NUL in a reason phrase", head.reason);
    for (const auto& h : head.headers) {
        check(detail::is_token(h.name), "a header name that is not a token", h.name);
        check(!has_line_break(h.value), "CR, LF or NUL in a header value", h.name + ": " + h.value);
    }
}

inline void check_plan(const detail::response_plan& plan) {
    for (const auto& interim : plan.interim) check_head(interim);
    check_head(plan.final_head);
    for (const auto& t : plan.trailers) {  // a trailer section is a head's fields, after the body
        check(detail::is_token(t.name), "a trailer name that is not a token", t.name);
        check(!has_line_break(t.value), "CR, LF or NUL in a trailer value", t.name + ": " + t.value);
    }
}

}  // namespace teapot::fuzz

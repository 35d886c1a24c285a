#include "scenario/regex.hpp"

#include <re2/re2.h>

#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace teapot::detail::scenario {
namespace {

// RE2's memory bound per regex: its program and its DFA cache, which RE2 grows lazily up to it.
// 1 MiB, not RE2's default 8 MiB: a subject that drives the DFA through new states then costs a
// regex about 350 KiB of RSS (bench/regex_cost.cpp: 100 such regexes, +34 MiB; with 8 MiB a
// scratch run of the same took +293 MiB), so hundreds of regexes fit a laptop's memory.
constexpr std::int64_t regex_max_mem = 1024 * 1024;

RE2::Options options() {
    RE2::Options o;
    // Bytes, not UTF-8: `.` and [^x] match any byte, so binary bodies and obs-text header
    // bytes (RFC 9110 §5.5) are matched as Boost.Regex did; UTF-8 mode never matches invalid UTF-8.
    o.set_encoding(RE2::Options::EncodingLatin1);
    o.set_max_mem(regex_max_mem);
    // A bad pattern is a load error with its position; RE2 would also print it to stderr.
    o.set_log_errors(false);
    // Matching only says yes or no: capture groups would only enlarge the program.
    o.set_never_capture(true);
    return o;
}

struct hint {
    std::string_view construct;  ///< what the offending text is
    std::string_view instead;    ///< what to write instead
};

// What RE2 reports for the Perl and PCRE forms it leaves out, by the text RE2 names
// (its error_arg) and, for "(?<", the character after it.
std::optional<hint> unsupported(RE2::ErrorCode code, std::string_view arg, std::string_view source) {
    if (code == RE2::ErrorBadEscape && arg.size() == 2) {
        switch (arg[1]) {
            case '1':
            case '2':
            case '3':
            case '4':
            case '5':
            case '6':
            case '7':
            case '8':
            case '9':
            case 'k':
            case 'g':
                return hint{"a backreference",
                            "write the repeated text out (for (a|b)\\1: aa|bb), or test the value with a second "
                            "matcher"};
            case 'Z': return hint{"\\Z (end of text before a final newline)", "write \\z (end of text) or \\n?\\z"};
            case 'G': return hint{"\\G (where the last match ended)", "anchor with ^ or \\A"};
            case 'K': return hint{"\\K (reset the match start)", "leave it out: a match only says yes or no"};
            case 'R': return hint{"\\R (any line break)", "write (?:\\r\\n|\\n|\\r)"};
            case 'h': return hint{"\\h (horizontal space)", "write [ \\t]"};
            case 'u': return hint{"\\u (a UTF-16 escape)", "write the character itself, or its bytes as \\xHH"};
            case 'c': return hint{"\\c (a control character)", "write it as \\xHH (\\cA is \\x01)"};
            case 'e': return hint{"\\e (escape)", "write \\x1B"};
            default: break;
        }
        return std::nullopt;
    }
    if (code == RE2::ErrorRepeatOp && arg.size() >= 2 && arg.back() == '+')
        return hint{"a possessive quantifier",
                    "drop the last + (a guard against backtracking is not needed; the plain quantifier may also "
                    "match where the possessive one gave up)"};
    if (code != RE2::ErrorMissingParen && code != RE2::ErrorBadPerlOp && code != RE2::ErrorMissingBracket)
        return std::nullopt;
    if (arg == "(?=" || arg == "(?!")
        return hint{"a lookahead",
                    "match the text that follows as part of the pattern, test it with a second matcher, or "
                    "write the cases out with |"};
    if (arg == "(?<") {
        // "(?<=x)", "(?<!x)" or "(?<name>...)": RE2 names only the first three characters.
        const auto at = source.find("(?<");
        const char next = at != std::string_view::npos && at + 3 < source.size() ? source[at + 3] : '\0';
        if (next == '=' || next == '!')
            return hint{"a lookbehind",
                        "match the text before as part of the pattern, or test it with a second matcher"};
        return hint{"a named group written (?<name>...)", "write (?P<name>...) or (?:...)"};
    }
    if (arg == "(?'") return hint{"a named group written (?'name'...)", "write (?P<name>...) or (?:...)"};
    if (arg == "(?>")
        return hint{"an atomic group",
                    "write (?:...) (a guard against backtracking is not needed; it may also match where the atomic "
                    "group gave up)"};
    if (arg == "(?(") return hint{"a conditional", "write the cases out with |"};
    if (arg == "(?|") return hint{"a branch reset group", "write (?:...)"};
    if (arg == "(?#") return hint{"a comment group", "leave the comment out"};
    if (arg == "(?R" || arg == "(?&" || arg == "(?P>" || arg == "(?+" ||
        (arg.size() == 3 && std::isdigit(static_cast<unsigned char>(arg[2]))))
        return hint{"a recursion or subroutine call", "write the nesting out to the depth you need"};
    if (arg == "(?x") return hint{"the x (free-spacing) flag", "remove it, and the spaces and comments it allowed"};
    return std::nullopt;
}

}  // namespace

compiled_regex::compiled_regex(std::unique_ptr<re2::RE2> re) : re_(std::move(re)), program_size_(re_->ProgramSize()) {}

compiled_regex::~compiled_regex() = default;

bool compiled_regex::full_match(std::string_view subject) const {
    return RE2::FullMatch(re2::StringPiece{subject.data(), subject.size()}, *re_);
}

bool compiled_regex::search(std::string_view subject) const {
    return RE2::PartialMatch(re2::StringPiece{subject.data(), subject.size()}, *re_);
}

regex_compile_result compile_regex(std::string_view source) {
    regex_compile_result out;
    auto re = std::make_unique<re2::RE2>(re2::StringPiece{source.data(), source.size()}, options());
    if (!re->ok()) {
        regex_error e;
        if (auto h = unsupported(re->error_code(), re->error_arg(), source)) {
            e.what = regex_error::kind::unsupported;
            e.message.append(re->error_arg()).append(" is ").append(h->construct);
            e.message.append(", which RE2 does not support (it never backtracks); ").append(h->instead);
        } else if (re->error_code() == RE2::ErrorPatternTooLarge) {
            e.what = regex_error::kind::too_large;
            e.message = "it compiles to more than RE2's memory bound for one regex; write smaller counted repetitions";
        } else {
            e.message = re->error();
            if (re->error_code() == RE2::ErrorRepeatSize)
                e.message.append(" (a count is at most 1000, and nested counts multiplied too)");
        }
        out.error = std::move(e);
        return out;
    }
    if (re->ProgramSize() > max_regex_program) {
        regex_error e;
        e.what = regex_error::kind::too_large;
        e.message = "it compiles to " + std::to_string(re->ProgramSize()) + " RE2 instructions, more than " +
                    std::to_string(max_regex_program) + "; write smaller counted repetitions or fewer alternatives";
        out.error = std::move(e);
        return out;
    }
    out.regex = std::make_shared<const compiled_regex>(std::move(re));
    return out;
}

}  // namespace teapot::detail::scenario

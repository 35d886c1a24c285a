#pragma once
// The regexes of scenarios (a `~REGEX` path, query or header value, a body
// `regex:`), compiled with RE2 at load time. RE2 never backtracks: a match
// takes time linear in the subject, about proportional to program size ×
// subject bytes in the worst case (docs/scenarios.md, "Regular expressions").
// The dialect is RE2's (Go's), over bytes (RE2's Latin-1 mode): `.` is one
// byte, as it was with Boost.Regex on std::string.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace teapot::detail::scenario {

/// The longest regex source the loader hands to RE2, in bytes: more is a load error. std::regex
/// (before Boost.Regex) compiled by recursion and overflowed the stack on 100 KB (fuzz/regressions);
/// RE2 does not recurse, but compiling is work on the loading thread (an I/O thread for a posted
/// scenario), and 4 KiB is more than a hand-written pattern needs.
constexpr std::size_t max_regex_bytes = 4096;
/// The largest RE2 program a regex may compile to, in instructions: more is a load error. A
/// 4 KiB alternation of literals fits; with the default work budget, every regex that loads may
/// run against at least 1677 bytes.
constexpr int max_regex_program = 5000;
/// The default bound on one match's work, program size × subject bytes (--max-regex-work).
constexpr std::uint64_t default_max_regex_work = 8 * 1024 * 1024;

/// A compiled regex. Immutable and thread-safe: RE2 guards its lazily built DFA itself.
class compiled_regex {
public:
    explicit compiled_regex(std::unique_ptr<re2::RE2> re);
    ~compiled_regex();
    compiled_regex(const compiled_regex&) = delete;
    compiled_regex& operator=(const compiled_regex&) = delete;

    /// RE2's program size: the instructions each byte of a subject may step through.
    int program_size() const noexcept { return program_size_; }
    /// The work a match against `subject_bytes` may take: program size × bytes.
    std::uint64_t work(std::size_t subject_bytes) const noexcept {
        return static_cast<std::uint64_t>(program_size_) * subject_bytes;
    }
    /// Whether the regex matches the whole subject (a path).
    bool full_match(std::string_view subject) const;
    /// Whether the regex matches anywhere in the subject (a value, a body).
    bool search(std::string_view subject) const;

private:
    std::unique_ptr<re2::RE2> re_;
    int program_size_ = 0;
};

/// Why a regex does not compile: RE2's reason and, for what RE2 leaves out
/// (backreferences, lookaround, possessive and atomic forms...), what to write instead.
struct regex_error {
    enum class kind {
        invalid,      ///< not a regex: `message` is RE2's reason
        unsupported,  ///< a construct RE2 does not have: `message` says which and what to write instead
        too_large     ///< a program beyond max_regex_program or RE2's memory bound
    };
    kind what = kind::invalid;
    std::string message;
};

struct regex_compile_result {
    std::shared_ptr<const compiled_regex> regex;  ///< null when `error` is set
    std::optional<regex_error> error;
};

/// Compiles `source` (at most max_regex_bytes: the caller checks) with the options
/// every scenario regex gets; a program larger than max_regex_program is an error.
regex_compile_result compile_regex(std::string_view source);

}  // namespace teapot::detail::scenario

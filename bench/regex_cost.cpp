// How long one scenario regex match may hold an I/O thread (docs/scenarios.md,
// "Regular expressions"). RE2 is linear in the subject, but its worst case per
// byte grows with the program: a subject that makes the DFA meet a new state at
// every byte (here `[ab]*a[ab]{k}c` against random a/b text: 2^k states) runs
// RE2's NFA over every instruction alive. This measures that worst case for
// program sizes up to teapot's bound, each against the largest subject that
// --max-regex-work lets a match run on (at most --max-body-size), plus the
// patterns of issue 13 and a few ordinary ones against 1 MiB.
//
//   build-dev/tests/teapot_regex_cost [--work N] [--subject BYTES]
//
// Built with the tests (tests/CMakeLists.txt); not a test: it judges nothing.

#include "scenario/regex.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace sc = teapot::detail::scenario;

namespace {

long rss_kib() {
    std::FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    long kib = 0;
    while (std::fgets(line, sizeof line, f))
        if (std::string_view{line}.starts_with("VmRSS:")) kib = std::strtol(line + 6, nullptr, 10);
    std::fclose(f);
    return kib;
}

std::string random_text(std::size_t n, std::string_view alphabet, std::uint32_t seed = 1) {
    std::mt19937 g{seed};
    std::string s(n, '\0');
    for (auto& c : s) c = alphabet[g() % alphabet.size()];
    return s;
}

// The slowest of three runs: the figure is a bound, not a typical time.
template <typename F>
double slowest_ms(F&& f) {
    double worst = 0;
    for (int i = 0; i < 3; ++i) {
        auto start = std::chrono::steady_clock::now();
        f();
        worst = std::max(worst,
                         std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    return worst;
}

struct row {
    std::string name;
    std::string pattern;
    std::string subject;
};

double measure(const row& r, std::uint64_t work, bool clip) {
    auto compiled = sc::compile_regex(r.pattern);
    if (!compiled.regex) {
        std::printf("| %s | refused at load: %s |\n", r.name.c_str(), compiled.error->message.c_str());
        return 0;
    }
    const auto& re = *compiled.regex;
    std::string_view subject = r.subject;
    // The largest subject the budget lets a match run on.
    if (clip) subject = subject.substr(0, std::min<std::uint64_t>(subject.size(), work / re.program_size()));
    bool found = false, whole = false;
    const double search = slowest_ms([&] { found = re.search(subject); });
    const double full = slowest_ms([&] { whole = re.full_match(subject); });
    const double ms = std::max(search, full);
    std::printf("| %s | %d | %zu | %.1f | %.1f | %.1f |\n", r.name.c_str(), re.program_size(), subject.size(), search,
                full, ms * 1e6 / static_cast<double>(re.work(subject.size())));
    (void)found;
    (void)whole;
    return ms;
}

}  // namespace

int main(int argc, char** argv) {
    std::uint64_t work = sc::default_max_regex_work;
    std::size_t subject = 1024 * 1024;  // --max-body-size's default
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string_view flag = argv[i];
        if (flag == "--work")
            work = std::strtoull(argv[i + 1], nullptr, 10);
        else if (flag == "--subject")
            subject = std::strtoull(argv[i + 1], nullptr, 10);
        else {
            std::fprintf(stderr, "usage: %s [--work N] [--subject BYTES]\n", argv[0]);
            return 2;
        }
    }
    std::printf("budget (--max-regex-work): %llu; largest subject: %zu bytes\n\n",
                static_cast<unsigned long long>(work), subject);

    std::printf("Worst case: each program against the largest subject the budget lets it run on\n\n");
    std::printf(
        "| pattern | program | subject bytes | search ms | full ms | ns per unit of work "
        "|\n|---|---|---|---|---|---|\n");
    const std::string ab = random_text(subject, "ab");
    double worst = 0;
    std::string worst_name;
    std::vector<row> hostile;
    for (int k : {10, 12, 13, 14, 15, 16, 18, 20, 25, 30, 40, 60, 100, 200, 400, 700, 1000}) {
        const auto n = std::to_string(k);
        hostile.push_back({"`[ab]*a[ab]{" + n + "}c`", "[ab]*a[ab]{" + n + "}c", ab});
    }
    for (int k : {14, 20, 100, 1000}) {
        const auto n = std::to_string(k);
        hostile.push_back({"`(?:a|b)*a(?:a|b){" + n + "}c`", "(?:a|b)*a(?:a|b){" + n + "}c", ab});
        hostile.push_back({"`(?s).*a.{" + n + "}c`", "(?s).*a.{" + n + "}c", ab});
    }
    // A program at teapot's bound (5000 instructions).
    hostile.push_back({"`[ab]*a[ab]{1000}` x 4, then `[ab]*a[ab]{982}c`",
                       "[ab]*a[ab]{1000}[ab]*a[ab]{1000}[ab]*a[ab]{1000}[ab]*a[ab]{1000}[ab]*a[ab]{982}c", ab});
    for (const auto& r : hostile) {
        const double ms = measure(r, work, true);
        if (ms > worst) {
            worst = ms;
            worst_name = r.name;
        }
    }
    std::printf("\nslowest: %.1f ms (%s)\n\n", worst, worst_name.c_str());

    std::printf("Issue 13's patterns and ordinary ones, against the whole subject (no budget)\n\n");
    std::printf(
        "| pattern | program | subject bytes | search ms | full ms | ns per unit of work "
        "|\n|---|---|---|---|---|---|\n");
    // tests/integration/hostile_regex_test.cpp's 3.5 KB header pattern (Boost.Regex: 50 s on 500 bytes).
    std::string agents = R"(^(\w+\s?)*$)";
    for (int i = 0; agents.size() < 3500; ++i) agents += "|agent-" + std::to_string(1000 + i);
    // Alternatives that all stay alive on a run of a's: what the budget refuses on a large body.
    std::string nested;
    while (nested.size() < 3500) nested += "(a+a+)+b|";
    nested += "(a|aa)*c";
    const std::string email =
        "^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))"
        "$";
    const std::vector<row> ordinary{
        {"3.5 KB: `^(\\w+\\s?)*$` and literal alternatives, against 499 a's and `!`", agents,
         std::string(499, 'a') + "!"},
        {"the classic email pattern against 16 KB of a's and `!`", email, std::string(16 * 1024, 'a') + "!"},
        {"the classic email pattern against the subject", email, std::string(subject, 'a') + "!"},
        {"`^[a-z]+$`", "^[a-z]+$", std::string(subject, 'a') + "!"},
        {"`\"sku\"\\s*:\\s*\"[A-Z]{3}-\\d{6}\"`", "\"sku\"\\s*:\\s*\"[A-Z]{3}-\\d{6}\"",
         random_text(subject, "\"sku: ABC-0123456789")},
        {"`(x+x+)+y`", "(x+x+)+y", std::string(subject, 'x')},
        {"3.5 KB of `(a+a+)+b\\|` against 64 KiB of a's (the budget allows 3580 bytes)", nested,
         std::string(64 * 1024, 'a')},
    };
    for (const auto& r : ordinary) measure(r, work, false);

    // Memory: RE2 grows each regex's DFA cache lazily, up to its max_mem (src/scenario/regex.cpp).
    constexpr int regexes = 100;
    const long before = rss_kib();
    std::vector<std::shared_ptr<const sc::compiled_regex>> kept;
    for (int i = 0; i < regexes; ++i) kept.push_back(sc::compile_regex("[ab]*a[ab]{20}c" + std::to_string(i)).regex);
    const long compiled = rss_kib();
    const std::string_view text = std::string_view{ab}.substr(0, 64 * 1024);
    for (const auto& re : kept) (void)re->search(text);
    const long driven = rss_kib();
    std::printf(
        "\nMemory: %d regexes `[ab]*a[ab]{20}cN`: +%ld KiB compiled; each searched through 64 KiB of random "
        "a/b: +%ld KiB more (%ld KiB a regex)\n",
        regexes, compiled - before, driven - compiled, (driven - compiled) / regexes);
    return 0;
}

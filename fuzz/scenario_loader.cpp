// Fuzz target: arbitrary bytes as a scenario file. The loader must answer every
// input with scenarios or with errors that carry a position, never crash, hang
// or leak: scenario files come from users, and run-time loads come over HTTP
// (POST /__teapot/scenarios, the rules of POST /__teapot/verify).

#include "fuzz_check.hpp"
#include "scenario/loader.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

#include <unistd.h>

namespace fs = std::filesystem;
using namespace teapot::detail::scenario;

namespace {

// A base directory with a body file in it and one beside it (outside), so that
// body_file: paths resolve, escape attempts are refused and missing files are errors.
struct base_directory {
    fs::path root;
    fs::path base;
    base_directory() {
        root = fs::temp_directory_path() / ("teapot-fuzz-loader-" + std::to_string(::getpid()));
        base = root / "base";
        fs::create_directories(base / "fixtures");
        std::ofstream{base / "body.txt"} << "hello\n";
        std::ofstream{base / "fixtures" / "orders.json"} << R"({"orders":[]})";
        std::ofstream{root / "outside.txt"} << "secret\n";
    }
    ~base_directory() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
};

void check_result(const load_result& r) {
    if (r.ok()) return;
    teapot::fuzz::check(r.scenarios.empty(), "scenarios returned beside errors");
    for (const auto& e : r.errors) {
        teapot::fuzz::check(!e.message.empty(), "an error without a message", e.to_string());
        // A whole-file error (an empty file) has no line; any other position is 1-based.
        teapot::fuzz::check(e.where.line >= 0 && e.where.column >= 0, "a negative position", e.to_string());
        teapot::fuzz::check(e.where.line == 0 || e.where.column >= 1, "a line without a column", e.to_string());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static base_directory dir;  // removed at exit
    std::string_view yaml{reinterpret_cast<const char*>(data), size};
    check_result(load_scenario_text(yaml, "fuzz.yaml", std::nullopt));
    check_result(load_scenario_text(yaml, "fuzz.yaml", dir.base));
    // The same YAML as verify's rules (a request body of POST /__teapot/verify).
    auto rules = load_expect_rules(yaml, "rules");
    teapot::fuzz::check(rules.ok() || rules.rules.empty(), "rules returned beside errors");
    return 0;
}

// Hot reload over real sockets: a good edit on disk is served without a
// restart, a broken edit is refused and the previous version keeps serving.

#include "client.hpp"
#include "test_server.hpp"

#include <catch2/catch.hpp>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <thread>

using namespace teapot::test;
namespace fs = std::filesystem;

namespace {

std::string scenario_answering(int status) {
    return "name: reloaded\nroutes:\n  - id: r\n    match: { path: /reloaded }\n    steps:\n      - { status: " +
           std::to_string(status) + ", times: forever }\n";
}

// Replaces the file the way editors do: write a sibling, then rename over it.
void write_file(const fs::path& path, const std::string& text) {
    auto temp = path;
    temp += ".tmp";
    std::ofstream{temp} << text;
    fs::rename(temp, path);
}

// Polls (bounded) until the server answers `status`; the reload is asynchronous.
bool eventually_answers(std::uint16_t port, int status) {
    for (int i = 0; i < 100; ++i) {
        if (fetch(port, "/reloaded").status == status) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    return false;
}

// A status out of range: one error, at line 5, column 19 (the 99).
const std::string broken_scenario = "name: reloaded\nroutes:\n  - id: r\n    steps:\n      - { status: 99 }\n";

// Polls `sink` until a line contains `text`, for at most 5 s; the line, or nullopt.
std::optional<std::string> eventually_logged(spdlog::sinks::ringbuffer_sink_mt& sink, std::string_view text) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
    do {
        for (auto& line : sink.last_formatted())
            if (line.find(text) != std::string::npos) return line;
        std::this_thread::sleep_for(std::chrono::milliseconds{20});
    } while (std::chrono::steady_clock::now() < deadline);
    return std::nullopt;
}

struct scratch_dir {
    fs::path path =
        fs::temp_directory_path() / ("teapot-reload-" + std::to_string(::getpid()) + "-" +
                                     std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    scratch_dir() { fs::create_directories(path); }
    ~scratch_dir() { fs::remove_all(path); }
};

}  // namespace

TEST_CASE("a scenario edited on disk is reloaded without a restart", "[reload]") {
    scratch_dir dir;
    auto file = dir.path / "reloaded.yaml";
    write_file(file, scenario_answering(503));
    auto o = test_options();
    o.scenario_paths = {dir.path.string()};
    test_server s{o};
    CHECK(fetch(s.port(), "/reloaded").status == 503);

    write_file(file, scenario_answering(200));
    CHECK(eventually_answers(s.port(), 200));
}

TEST_CASE("the watcher alone refuses a broken edit, logs where it is, and the previous set keeps serving", "[reload]") {
    scratch_dir dir;
    auto file = dir.path / "reloaded.yaml";
    write_file(file, scenario_answering(418));
    auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256);
    auto o = test_options();
    o.logger = std::make_shared<spdlog::logger>("reload-test", sink);
    o.scenario_paths = {file.string()};
    test_server s{o};
    CHECK(fetch(s.port(), "/reloaded").status == 418);

    // No reload_scenarios() here: inotify must notice the edit by itself.
    write_file(file, broken_scenario);
    auto failure = eventually_logged(*sink, "scenario reload failed");
    REQUIRE(failure.has_value());
    CHECK_THAT(*failure, Catch::Contains("the previous scenarios keep serving") &&
                             Catch::Contains("reloaded.yaml:5:19: ") && Catch::Contains("status"));
    CHECK(fetch(s.port(), "/reloaded").status == 418);

    // The watcher still watches after a failure: the next good edit is served.
    write_file(file, scenario_answering(201));
    CHECK(eventually_answers(s.port(), 201));
    CHECK(eventually_logged(*sink, "scenarios reloaded: reloaded").has_value());
}

TEST_CASE("reload_scenarios() returns a broken edit's errors and keeps the previous set", "[reload]") {
    scratch_dir dir;
    auto file = dir.path / "reloaded.yaml";
    write_file(file, scenario_answering(418));
    auto o = test_options();
    o.scenario_paths = {file.string()};
    o.watch_scenarios = false;  // only the calls below reload
    test_server s{o};
    CHECK(fetch(s.port(), "/reloaded").status == 418);

    write_file(file, broken_scenario);
    auto errors = s.srv.reload_scenarios();
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0], Catch::StartsWith(file.string() + ":5:19: "));
    CHECK(fetch(s.port(), "/reloaded").status == 418);

    write_file(file, scenario_answering(201));
    CHECK(s.srv.reload_scenarios().empty());
    CHECK(fetch(s.port(), "/reloaded").status == 201);
}

TEST_CASE("a reload keeps the cursors of unchanged routes and logs the changed ones", "[reload]") {
    scratch_dir dir;
    auto file = dir.path / "carried.yaml";
    auto with_second = [](int status) {
        return "name: carried\nroutes:\n"
               "  - id: steady\n    match: { path: /steady }\n"
               "    steps: [{ status: 201 }, { status: 202 }, { status: 203 }]\n"
               "  - id: edited\n    match: { path: /edited }\n"
               "    steps: [{ status: 301 }, { status: " +
               std::to_string(status) + " }]\n";
    };
    write_file(file, with_second(302));
    std::ostringstream log_text;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text);
    auto o = test_options();
    o.logger = std::make_shared<spdlog::logger>("reload-test", sink);
    o.scenario_paths = {file.string()};
    o.watch_scenarios = false;  // this test reloads by hand, once
    test_server s{o};
    CHECK(fetch(s.port(), "/steady").status == 201);
    CHECK(fetch(s.port(), "/edited").status == 301);

    write_file(file, with_second(307));
    CHECK(s.srv.reload_scenarios().empty());
    CHECK(fetch(s.port(), "/steady").status == 202);  // carried over
    CHECK(fetch(s.port(), "/edited").status == 301);  // changed: starts fresh
    CHECK(fetch(s.port(), "/edited").status == 307);
    s.srv.stop();  // no thread writes the log any more: it can be read
    CHECK_THAT(log_text.str(),
               Catch::Contains("scenarios reloaded: carried; carried: route edited changed (starts fresh)"));
}

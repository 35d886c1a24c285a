// The teapot binary as users run it: the ready line on stdout, real requests,
// exit codes for signals and bad flags.

#include "client.hpp"
#include "scratch_dir.hpp"
#include "tls_client.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

extern char** environ;

using namespace teapot::test;

namespace {

// A child process with its stdout and stderr captured through pipes.
class process {
public:
    /// `launcher`: a command that runs teapot (setpriv ...), searched in PATH; none: teapot itself.
    explicit process(std::vector<std::string> args, std::vector<std::string> launcher = {}) {
        int out[2], err[2];
        REQUIRE(pipe(out) == 0);
        REQUIRE(pipe(err) == 0);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        posix_spawn_file_actions_adddup2(&actions, err[1], 2);
        posix_spawn_file_actions_addclose(&actions, out[0]);
        posix_spawn_file_actions_addclose(&actions, err[0]);
        args.insert(args.begin(), TEAPOT_BINARY);
        args.insert(args.begin(), launcher.begin(), launcher.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        REQUIRE(posix_spawnp(&pid_, argv[0], &actions, nullptr, argv.data(), environ) == 0);
        posix_spawn_file_actions_destroy(&actions);
        close(out[1]);
        close(err[1]);
        out_ = out[0];
        err_ = err[0];
    }
    ~process() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        close(out_);
        close(err_);
    }

    /// One line of stdout, waiting at most `timeout`.
    std::string read_line(std::chrono::milliseconds timeout = std::chrono::seconds{10}) {
        std::string line;
        auto deadline = std::chrono::steady_clock::now() + timeout;
        char c;
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{out_, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0) continue;
            if (read(out_, &c, 1) != 1) break;
            if (c == '\n') return line;
            line += c;
        }
        return line;
    }
    static std::string drain(int fd) {
        std::string all;
        char buf[4096];
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) all.append(buf, static_cast<std::size_t>(n));
        return all;
    }
    /// Waits for exit; returns the exit code (or 128 + signal).
    int wait() {
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::string rest_of_stdout() { return drain(out_); }
    std::string all_stderr() { return drain(err_); }
    void signal(int sig) { kill(pid_, sig); }
    pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    int out_ = -1, err_ = -1;
};

std::uint16_t port_of(const std::string& ready_line) {
    std::smatch m;
    static const std::regex ready{R"(^teapot listening on http://127\.0\.0\.1:(\d+)$)"};
    REQUIRE(std::regex_match(ready_line, m, ready));
    return static_cast<std::uint16_t>(std::stoi(m[1]));
}

}  // namespace

TEST_CASE("teapot --port 0 prints one ready line, serves, and exits 0 on SIGTERM") {
    process p{{"--port", "0", "--quiet"}};
    auto port = port_of(p.read_line());
    auto r = fetch(port, "/status/418");
    CHECK(r.status == 418);
    CHECK(r.reason == "I'm a teapot");
    p.signal(SIGTERM);
    CHECK(p.wait() == 0);
    CHECK(p.rest_of_stdout().empty());  // exactly one line on stdout
}

TEST_CASE("teapot --port 0 --tls-port 0 --ca-out prints a ready line per listener, the CA written before them",
          "[tls]") {
    scratch_dir dir;
    const auto ca = (dir.path / "ca.pem").string();
    process p{{"--port", "0", "--tls-port", "0", "--ca-out", ca, "--quiet"}};
    auto plain = port_of(p.read_line());
    std::smatch m;
    const auto https_line = p.read_line();
    REQUIRE(std::regex_match(https_line, m, std::regex{R"(^teapot listening on https://127\.0\.0\.1:(\d+)$)"}));
    const auto tls_port = static_cast<std::uint16_t>(std::stoi(m[1]));
    std::ifstream file{ca};
    std::stringstream pem;
    pem << file.rdbuf();
    CHECK(pem.str().starts_with("-----BEGIN CERTIFICATE-----"));
    CHECK(fetch(plain, "/__teapot/ca.pem").body == pem.str());
    CHECK(fetch_tls(tls_port, pem.str(), "/status/418").status == 418);
    p.signal(SIGTERM);
    CHECK(p.wait() == 0);
}

TEST_CASE("teapot --tls-cert with a file that does not exist exits 1 naming the flag and the file", "[tls]") {
    process p{{"--tls-port", "0", "--tls-cert", "/nonexistent/leaf.pem", "--tls-key", "/nonexistent/leaf.key"}};
    CHECK(p.wait() == 1);
    CHECK_THAT(p.all_stderr(), Catch::Contains("cannot read --tls-cert /nonexistent/leaf.pem"));
}

TEST_CASE("teapot raises its soft limit on open files to the hard limit") {
    rlimit ours{};
    REQUIRE(getrlimit(RLIMIT_NOFILE, &ours) == 0);
    constexpr rlim_t lowered = 256;
    if (ours.rlim_max <= lowered) {
        WARN("skipped: the hard limit on open files (" << ours.rlim_max << ") leaves nothing to raise");
        return;
    }
    // The child inherits a soft limit below its hard one: lifting it is teapot's own doing.
    struct restore {
        rlimit saved;
        ~restore() { setrlimit(RLIMIT_NOFILE, &saved); }
    } restored{ours};
    rlimit low = ours;
    low.rlim_cur = lowered;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
    process p{{"--port", "0", "--quiet"}};
    REQUIRE(setrlimit(RLIMIT_NOFILE, &ours) == 0);
    port_of(p.read_line());  // started: the limit is set before the ready line
    std::ifstream limits{"/proc/" + std::to_string(p.pid()) + "/limits"};
    std::string line;
    while (std::getline(limits, line) && !line.starts_with("Max open files")) {
    }
    std::istringstream fields{line.substr(std::string_view{"Max open files"}.size())};
    std::string soft, hard;
    fields >> soft >> hard;
    CHECK(soft == std::to_string(ours.rlim_max));
    CHECK(hard == std::to_string(ours.rlim_max));
    p.signal(SIGTERM);
    CHECK(p.wait() == 0);
}

TEST_CASE("teapot runs as an unprivileged user: nobody, no groups, no capabilities") {
    if (::geteuid() != 0) {
        WARN("skipped: not root, so every test here already runs teapot unprivileged");
        return;
    }
    const passwd* nobody = ::getpwnam("nobody");
    const group* nogroup = ::getgrnam("nogroup");
    if (!nobody || !nogroup || ::access("/usr/bin/setpriv", X_OK) != 0) {
        WARN("skipped: needs the user nobody, the group nogroup and setpriv (util-linux)");
        return;
    }
    // nobody must be able to reach the binary: every directory above it searchable by others.
    for (auto dir = std::filesystem::path{TEAPOT_BINARY}.parent_path(); dir != dir.root_path(); dir = dir.parent_path())
        if ((std::filesystem::status(dir).permissions() & std::filesystem::perms::others_exec) ==
            std::filesystem::perms::none) {
            WARN("skipped: " << dir << " is not searchable by others, so nobody cannot run " << TEAPOT_BINARY);
            return;
        }
    process p{{"--port", "0", "--quiet"}, {"setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"}};
    auto port = port_of(p.read_line());
    CHECK(fetch(port, "/status/418").status == 418);
    // setpriv execs teapot: the pid is teapot's, and so are its ids.
    std::ifstream status{"/proc/" + std::to_string(p.pid()) + "/status"};
    std::string line, uid, gid, groups, capabilities;
    for (; std::getline(status, line);) {
        if (line.starts_with("Uid:")) uid = line;
        if (line.starts_with("Gid:")) gid = line;
        if (line.starts_with("Groups:")) groups = line;
        if (line.starts_with("CapEff:")) capabilities = line;
    }
    const auto u = std::to_string(nobody->pw_uid), g = std::to_string(nogroup->gr_gid);
    CHECK(uid == "Uid:\t" + u + "\t" + u + "\t" + u + "\t" + u);
    CHECK(gid == "Gid:\t" + g + "\t" + g + "\t" + g + "\t" + g);
    CHECK(groups.find_first_of("0123456789") == std::string::npos);
    CHECK(capabilities == "CapEff:\t0000000000000000");
    p.signal(SIGTERM);
    CHECK(p.wait() == 0);
}

TEST_CASE("teapot exits 0 on SIGINT and logs an access line per response") {
    process p{{"serve", "--port", "0", "--log-format", "json"}};
    auto port = port_of(p.read_line());
    CHECK(fetch(port, "/status/503").status == 503);
    p.signal(SIGINT);
    CHECK(p.wait() == 0);
    auto log = p.all_stderr();
    CHECK_THAT(log, Catch::Contains(R"("method":"GET")") && Catch::Contains(R"("target":"/status/503")") &&
                        Catch::Contains(R"("status":503)"));
}

TEST_CASE("teapot --version and --help exit 0") {
    {
        process p{{"--version"}};
        CHECK(p.read_line().starts_with("teapot 0."));
        CHECK(p.wait() == 0);
    }
    for (std::string help : {"--help", "help"}) {
        INFO(help);
        process p{{help}};
        CHECK(p.read_line().starts_with("usage: teapot"));
        CHECK_THAT(p.rest_of_stdout(), Catch::Contains("--max-header-size"));  // every option
        CHECK(p.wait() == 0);
    }
}

TEST_CASE("teapot codes prints the whole catalogue") {
    process p{{"codes"}};
    auto out = p.rest_of_stdout();
    CHECK(p.wait() == 0);
    CHECK_THAT(out, Catch::Contains("418  I'm a teapot") && Catch::Contains("599  Network Connect Timeout Error") &&
                        Catch::Contains("\n4xx  Client error\n"));
    // One language: the headings were English and French, the descriptions English.
    CHECK_THAT(out, !Catch::Contains("Erreurs") && !Catch::Contains("Demandes"));
    std::size_t lines = 0;
    std::regex code_line{R"(^  \d{3}  )"};
    std::istringstream in{out};
    for (std::string line; std::getline(in, line);) lines += std::regex_search(line, code_line);
    CHECK(lines == 64);
}

TEST_CASE("bad flags exit 2 with a one-line reason, then a short usage that points to --help") {
    auto [args, reason] = GENERATE(table<std::vector<std::string>, std::string>({
        {{"--bogus"}, "unknown option '--bogus'\n"},
        {{"--sede", "1"}, "unknown option '--sede'; did you mean --seed?"},
        {{"--max-body-sise", "1"}, "unknown option '--max-body-sise'; did you mean --max-body-size?"},
        {{"help", "me"}, "'help' takes no arguments"},
        {{"--port", "99999"}, "invalid value '99999' for --port"},
        {{"--port"}, "--port needs a value"},
        {{"--max-delay", "soon"}, "invalid duration 'soon' for --max-delay"},
        {{"--log-format", "xml"}, "invalid --log-format 'xml'"},
        {{"--threads", "0"}, "invalid value '0' for --threads"},
    }));
    process p{args};
    CHECK(p.wait() == 2);
    auto err = p.all_stderr();
    CHECK(err.starts_with("teapot: " + reason));
    // Before: the reason, then 57 lines of usage that scrolled it away.
    CHECK(std::count(err.begin(), err.end(), '\n') == 3);
    CHECK_THAT(err, Catch::Contains("\nusage: teapot") && Catch::Contains("'teapot --help' lists every option"));
}

TEST_CASE("a port already in use exits 1 with the reason") {
    process first{{"--port", "0", "--quiet"}};
    auto port = port_of(first.read_line());
    process second{{"--port", std::to_string(port)}};
    CHECK(second.wait() == 1);
    CHECK_THAT(second.all_stderr(), Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(port)));
}

TEST_CASE("teapot check validates scenario files") {
    {
        process p{{"check", TEAPOT_SCENARIOS_DIR}};
        CHECK(p.read_line().starts_with("ok: 14 scenarios"));
        CHECK(p.wait() == 0);
    }
    {
        auto dir = std::filesystem::temp_directory_path() / ("teapot-check-" + std::to_string(getpid()));
        std::filesystem::create_directories(dir);
        std::ofstream{dir / "bad.yaml"} << "name: bad\nroutes:\n  - id: r\n    steps: []\n";
        process p{{"check", (dir / "bad.yaml").string()}};
        CHECK(p.wait() == 1);
        CHECK_THAT(p.all_stderr(), Catch::Contains("bad.yaml:4:"));
        // A TLS case that does not exist is caught here too, before any server starts.
        std::ofstream{dir / "typo.yaml"} << "name: typo\ntls_cases: [expird]\nroutes: [{ id: r, steps: [{}] }]\n";
        process typo{{"check", (dir / "typo.yaml").string()}};
        CHECK(typo.wait() == 1);
        CHECK_THAT(typo.all_stderr(), Catch::Contains("typo.yaml:2:13: no TLS case 'expird'"));
        std::filesystem::remove_all(dir);
    }
}

TEST_CASE("teapot refuses to start on an invalid scenario file") {
    auto dir = std::filesystem::temp_directory_path() / ("teapot-refuse-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream{dir / "bad.yaml"} << "name: bad\nroutes: 7\n";
    process p{{"--port", "0", "--scenarios", (dir / "bad.yaml").string()}};
    CHECK(p.wait() == 1);
    CHECK_THAT(p.all_stderr(), Catch::Contains("bad.yaml:2:"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("SIGHUP reloads the scenarios") {
    auto dir = std::filesystem::temp_directory_path() / ("teapot-sighup-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    auto write = [&](int status) {
        std::ofstream{dir / "hup.yaml"} << "name: hup\nroutes:\n  - id: r\n    match: { path: /hup }\n    steps:\n"
                                           "      - { status: "
                                        << status << ", times: forever }\n";
    };
    write(503);
    // --no-watch: only the signal can make the server see the edit.
    process p{{"--port", "0", "--quiet", "--no-watch", "--scenarios", (dir / "hup.yaml").string()}};
    auto port = port_of(p.read_line());
    CHECK(fetch(port, "/hup").status == 503);
    write(200);
    p.signal(SIGHUP);
    // The reload is asynchronous to this test: poll, bounded.
    int status = 0;
    for (int i = 0; i < 100 && status != 200; ++i) {
        status = fetch(port, "/hup").status;
        if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds{50});
    }
    CHECK(status == 200);
    p.signal(SIGTERM);
    CHECK(p.wait() == 0);
    std::filesystem::remove_all(dir);
}

TEST_CASE("the start-up line names the URL, the scenarios and the seed, which --seed gives back") {
    process p{{"--port", "0", "--seed", "18446744073709551557", "--scenarios", TEAPOT_SCENARIOS_DIR}};
    auto port = port_of(p.read_line());
    p.signal(SIGTERM);
    CHECK(p.wait() == 0);
    const auto log = p.all_stderr();
    const auto url = "http://127.0.0.1:" + std::to_string(port);
    CHECK_THAT(log, Catch::Contains("serving " + url + "/ (that page says what it does); 14 scenarios: "));
    CHECK_THAT(log, Catch::Contains("flaky-upstream") && Catch::Contains("admin API " + url + "/__teapot/"));
    CHECK_THAT(log, Catch::Contains("seed 18446744073709551557 (--seed 18446744073709551557 replays"));
}

TEST_CASE("a JSON log is JSON on every line: the start with the seed as a string, plain decimals, the stop") {
    process p{{"--port", "0", "--log-format", "json", "--scenarios", TEAPOT_SCENARIOS_DIR}};
    auto port = port_of(p.read_line());
    CHECK(fetch(port, "/status/200").status == 200);
    // Without --seed, the seed drawn is shown, in the log and by the admin API alike.
    auto version = boost::json::parse(fetch(port, "/__teapot/version").body);
    const std::string seed{version.at("seed").as_string()};
    CHECK(!seed.empty());
    CHECK(seed.find_first_not_of("0123456789") == std::string::npos);
    p.signal(SIGINT);
    CHECK(p.wait() == 0);
    std::istringstream lines{p.all_stderr()};
    std::size_t parsed = 0;
    bool started = false, access = false, stopping = false;
    for (std::string line; std::getline(lines, line);) {
        INFO(line);
        boost::system::error_code ec;
        auto doc = boost::json::parse(line, ec);
        REQUIRE_FALSE(ec);  // before: "event":SIGINT: stopping, not JSON
        ++parsed;
        const auto& event = doc.at("event");
        const std::string msg{event.at("msg").as_string()};
        if (msg == "started") {
            started = true;
            CHECK(event.at("url").as_string() == "http://127.0.0.1:" + std::to_string(port));
            CHECK(event.at("seed").as_string() == seed);  // a string: JavaScript loses integers above 2^53
            CHECK(event.at("scenarios").as_array().size() == 14);
        }
        if (msg == "access") {
            access = true;
            // Plain decimals with three places, never 4.5E-1.
            CHECK(std::regex_search(line, std::regex{R"("duration_ms":\d+\.\d{3}[,}])"}));
        }
        if (msg == "SIGINT: stopping") stopping = true;
    }
    CHECK(parsed >= 3);
    CHECK(started);
    CHECK(access);
    CHECK(stopping);
}

TEST_CASE("at debug level, the query parameters a /status request had ignored are logged") {
    process p{{"--port", "0", "--log-level", "debug"}};
    auto port = port_of(p.read_line());
    auto r = fetch(port, "/status/503?dealy=1s&cache_bust=7");
    CHECK(r.status == 503);
    p.signal(SIGTERM);
    CHECK(p.wait() == 0);
    CHECK_THAT(p.all_stderr(), Catch::Contains("ignored query parameters (not knobs): dealy (did you mean delay?), "
                                               "cache_bust"));
}

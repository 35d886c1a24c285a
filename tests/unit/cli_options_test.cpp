#include <catch2/catch.hpp>

#include "cli/options.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace std::chrono_literals;
using teapot::cli::command;
using teapot::cli::parse_options;
using teapot::cli::usage_error;

namespace {

using args = std::vector<std::string_view>;

// The message of the usage_error that parsing `a` throws; fails the test when none is thrown.
std::string usage_error_of(const args& a) {
    try {
        parse_options(a);
    } catch (const usage_error& e) {
        return e.what();
    }
    FAIL("no usage_error was thrown");
    return {};
}

bool contains(const std::string& haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

// Both spellings of a flag with a value must parse the same.
template <typename Check>
void both_forms(std::string_view flag, std::string_view value, Check check) {
    std::string joined = std::string{flag} + "=" + std::string{value};
    {
        INFO(flag << " " << value);
        check(parse_options({flag, value}));
    }
    {
        INFO(joined);
        check(parse_options({joined}));
    }
}

}  // namespace

TEST_CASE("parse_options: defaults", "[cli]") {
    for (const auto& a : {args{}, args{"serve"}}) {
        auto o = parse_options(a);
        CHECK(o.what == command::serve);
        CHECK(o.log_level == "info");
        CHECK_FALSE(o.quiet);
        const auto& s = o.server;
        CHECK(s.host == "127.0.0.1");
        CHECK(s.port == 8080);
        CHECK(s.threads == 0);
        CHECK_FALSE(s.seed);
        CHECK(s.max_delay == 60s);
        CHECK(s.shutdown_grace == 5s);
        CHECK(s.scenario_paths.empty());
        CHECK(s.format == teapot::log_format::text);
        CHECK(s.request_limits.max_header_bytes == 16 * 1024);
        CHECK(s.request_limits.max_body_bytes == 1024 * 1024);
        CHECK(s.request_limits.max_body_memory == 256 * 1024 * 1024);
        CHECK(s.request_limits.max_header_fields == 100);
        CHECK(s.request_limits.max_target_bytes == 8 * 1024);
        CHECK(s.request_limits.max_connections == 10'000);
        CHECK(s.request_limits.header_timeout == 10s);
        CHECK(s.request_limits.idle_timeout == 60s);
        CHECK(s.request_limits.body_timeout == 30s);
        CHECK(s.request_limits.write_timeout == 30s);
        CHECK(s.session_ttl == 10min);
        CHECK(s.max_sessions == 10'000);
        CHECK(s.max_regex_work == 8 * 1024 * 1024);
        CHECK(s.max_scenario_bytes == 64 * 1024 * 1024);
        CHECK(s.max_quota_bytes == 16 * 1024 * 1024);
    }
}

TEST_CASE("parse_options: serve with flags", "[cli]") {
    auto o = parse_options({"serve", "--port", "0", "--host", "::1"});
    CHECK(o.what == command::serve);
    CHECK(o.server.port == 0);
    CHECK(o.server.host == "::1");
}

TEST_CASE("parse_options: every flag, as --flag value and --flag=value", "[cli]") {
    both_forms("--host", "0.0.0.0", [](const auto& o) { CHECK(o.server.host == "0.0.0.0"); });
    both_forms("--port", "0", [](const auto& o) { CHECK(o.server.port == 0); });
    both_forms("--port", "65535", [](const auto& o) { CHECK(o.server.port == 65535); });
    both_forms("--port", "9090", [](const auto& o) { CHECK(o.server.port == 9090); });
    both_forms("--scenarios", "scenarios/flaky.yaml", [](const auto& o) {
        REQUIRE(o.server.scenario_paths.size() == 1);
        CHECK(o.server.scenario_paths[0] == "scenarios/flaky.yaml");
    });
    both_forms("--threads", "4", [](const auto& o) { CHECK(o.server.threads == 4); });
    both_forms("--threads", "256", [](const auto& o) { CHECK(o.server.threads == 256); });
    both_forms("--seed", "42", [](const auto& o) { CHECK(o.server.seed == std::uint64_t{42}); });
    both_forms("--seed", "0", [](const auto& o) { CHECK(o.server.seed == std::uint64_t{0}); });
    both_forms("--seed", "18446744073709551615",
               [](const auto& o) { CHECK(o.server.seed == std::uint64_t{18446744073709551615ull}); });
    both_forms("--max-delay", "2m", [](const auto& o) { CHECK(o.server.max_delay == 120s); });
    both_forms("--max-connections", "500",
               [](const auto& o) { CHECK(o.server.request_limits.max_connections == 500); });
    both_forms("--max-header-size", "32KiB",
               [](const auto& o) { CHECK(o.server.request_limits.max_header_bytes == 32 * 1024); });
    both_forms("--max-body-size", "2MiB",
               [](const auto& o) { CHECK(o.server.request_limits.max_body_bytes == 2 * 1024 * 1024); });
    both_forms("--max-body-size", "5000", [](const auto& o) { CHECK(o.server.request_limits.max_body_bytes == 5000); });
    both_forms("--max-header-fields", "10000",
               [](const auto& o) { CHECK(o.server.request_limits.max_header_fields == 10'000); });
    both_forms("--max-body-memory", "1GiB",
               [](const auto& o) { CHECK(o.server.request_limits.max_body_memory == 1024ull * 1024 * 1024); });
    both_forms("--max-uri-size", "4KB", [](const auto& o) { CHECK(o.server.request_limits.max_target_bytes == 4000); });
    both_forms("--header-timeout", "250ms",
               [](const auto& o) { CHECK(o.server.request_limits.header_timeout == 250ms); });
    both_forms("--idle-timeout", "1.5s", [](const auto& o) { CHECK(o.server.request_limits.idle_timeout == 1500ms); });
    both_forms("--body-timeout", "2s", [](const auto& o) { CHECK(o.server.request_limits.body_timeout == 2s); });
    both_forms("--write-timeout", "750ms",
               [](const auto& o) { CHECK(o.server.request_limits.write_timeout == 750ms); });
    both_forms("--shutdown-grace", "1h", [](const auto& o) { CHECK(o.server.shutdown_grace == 3600s); });
    both_forms("--session-ttl", "200ms", [](const auto& o) { CHECK(o.server.session_ttl == 200ms); });
    both_forms("--session-ttl", "2h", [](const auto& o) { CHECK(o.server.session_ttl == 2h); });
    both_forms("--max-sessions", "1", [](const auto& o) { CHECK(o.server.max_sessions == 1); });
    both_forms("--max-sessions", "1000000", [](const auto& o) { CHECK(o.server.max_sessions == 1'000'000); });
    both_forms("--max-regex-work", "1", [](const auto& o) { CHECK(o.server.max_regex_work == 1); });
    both_forms("--max-regex-work", "1000000000000",
               [](const auto& o) { CHECK(o.server.max_regex_work == 1'000'000'000'000); });
    both_forms("--max-scenario-bytes", "1GiB",
               [](const auto& o) { CHECK(o.server.max_scenario_bytes == 1024ull * 1024 * 1024); });
    both_forms("--max-scenario-bytes", "4096", [](const auto& o) { CHECK(o.server.max_scenario_bytes == 4096); });
    both_forms("--max-quota-bytes", "1MiB", [](const auto& o) { CHECK(o.server.max_quota_bytes == 1024 * 1024); });
    for (std::string_view level : {"trace", "debug", "info", "warn", "error", "off"})
        both_forms("--log-level", level, [&](const auto& o) { CHECK(o.log_level == level); });
    both_forms("--log-format", "json", [](const auto& o) { CHECK(o.server.format == teapot::log_format::json); });
    both_forms("--log-format", "text", [](const auto& o) { CHECK(o.server.format == teapot::log_format::text); });
}

TEST_CASE("parse_options: only the first '=' splits an inline value", "[cli]") {
    // Only the first '=' splits an inline value.
    auto o = parse_options({"--scenarios=a=b.yaml"});
    REQUIRE(o.server.scenario_paths.size() == 1);
    CHECK(o.server.scenario_paths[0] == "a=b.yaml");
}

TEST_CASE("parse_options: --scenarios repeats, the last value of other flags wins", "[cli]") {
    auto o = parse_options({"--scenarios", "a.yaml", "--scenarios=dir", "--port", "1", "--port=2"});
    REQUIRE(o.server.scenario_paths.size() == 2);
    CHECK(o.server.scenario_paths[0] == "a.yaml");
    CHECK(o.server.scenario_paths[1] == "dir");
    CHECK(o.server.port == 2);
}

TEST_CASE("parse_options: --max-header-size is at most 64KiB, what a header field can hold", "[cli]") {
    CHECK(parse_options({"--max-header-size", "64KiB"}).server.request_limits.max_header_bytes == 64 * 1024);
    CHECK(contains(usage_error_of({"--max-header-size", "1MiB"}), "at most 64KiB"));
    CHECK(contains(usage_error_of({"--max-header-size", "65537"}), "at most 64KiB"));
}

TEST_CASE("parse_options: --quiet", "[cli]") {
    CHECK(parse_options({"--quiet"}).quiet);
    CHECK(parse_options({"-q"}).quiet);
    CHECK(parse_options({"serve", "--quiet", "--port", "0"}).quiet);
    CHECK(contains(usage_error_of({"--quiet=yes"}), "--quiet takes no value"));
}

TEST_CASE("parse_options: codes, --version, --help", "[cli]") {
    CHECK(parse_options({"codes"}).what == command::codes);
    CHECK(parse_options({"--version"}).what == command::version);
    CHECK(parse_options({"-V"}).what == command::version);
    CHECK(parse_options({"--help"}).what == command::help);
    CHECK(parse_options({"-h"}).what == command::help);
    CHECK(parse_options({"serve", "--help"}).what == command::help);
    CHECK(parse_options({"--port", "0", "--version"}).what == command::version);

    CHECK(contains(usage_error_of({"codes", "--port", "0"}), "'codes' takes no arguments"));
    CHECK(contains(usage_error_of({"codes", "extra"}), "'codes' takes no arguments"));
    CHECK(contains(usage_error_of({"--version=1"}), "--version takes no value"));
    CHECK(contains(usage_error_of({"--help=all"}), "--help takes no value"));
    CHECK(contains(usage_error_of({"--port", "0", "codes"}), "'codes' must come first"));
    CHECK(contains(usage_error_of({"serve", "serve"}), "'serve' must come first"));
}

TEST_CASE("parse_options: unknown flags", "[cli]") {
    CHECK(contains(usage_error_of({"--bogus"}), "unknown option '--bogus'"));
    CHECK(contains(usage_error_of({"--bogus=1"}), "unknown option '--bogus'"));
    CHECK(contains(usage_error_of({"-x"}), "unknown option '-x'"));
    CHECK(contains(usage_error_of({"stray"}), "unknown option 'stray'"));
    CHECK(contains(usage_error_of({"--PORT", "1"}), "unknown option '--PORT'"));
    CHECK(contains(usage_error_of({"serve", "--port", "0", "--verbose"}), "unknown option '--verbose'"));
}

TEST_CASE("parse_options: missing values", "[cli]") {
    for (std::string_view flag : {"--host",
                                  "--port",
                                  "--scenarios",
                                  "--threads",
                                  "--seed",
                                  "--max-delay",
                                  "--max-connections",
                                  "--max-header-size",
                                  "--max-header-fields",
                                  "--max-body-size",
                                  "--max-body-memory",
                                  "--max-uri-size",
                                  "--header-timeout",
                                  "--idle-timeout",
                                  "--body-timeout",
                                  "--write-timeout",
                                  "--shutdown-grace",
                                  "--session-ttl",
                                  "--max-sessions",
                                  "--max-regex-work",
                                  "--max-scenario-bytes",
                                  "--max-quota-bytes",
                                  "--log-level",
                                  "--log-format"}) {
        INFO(flag);
        CHECK(usage_error_of({flag}) == std::string{flag} + " needs a value");
        CHECK(usage_error_of({"serve", flag}) == std::string{flag} + " needs a value");
    }
    CHECK(contains(usage_error_of({"--host="}), "--host needs a non-empty address"));
    CHECK(contains(usage_error_of({"--host", ""}), "--host needs a non-empty address"));
}

TEST_CASE("parse_options: bad numbers", "[cli]") {
    SECTION("port") {
        for (std::string_view bad : {"65536", "-1", "abc", "80x", "", " 80", "8080.0", "1e3", "99999999999999999999"}) {
            INFO("'" << bad << "'");
            auto error = usage_error_of({"--port", bad});
            CHECK(contains(error, "invalid value '" + std::string{bad} + "' for --port"));
            CHECK(contains(error, "expected a number from 0 to 65535"));
        }
        CHECK(contains(usage_error_of({"--port="}), "invalid value '' for --port"));
        // The next flag is not a value.
        CHECK(contains(usage_error_of({"--port", "--host", "x"}), "invalid value '--host' for --port"));
    }
    SECTION("threads: 1 to 256") {
        for (std::string_view bad : {"0", "257", "-1", "many"}) {
            INFO(bad);
            CHECK(contains(usage_error_of({"--threads", bad}), "expected a number from 1 to 256"));
        }
    }
    SECTION("seed") {
        for (std::string_view bad : {"-1", "18446744073709551616", "0x10", "seed"}) {
            INFO(bad);
            CHECK(contains(usage_error_of({"--seed", bad}), "for --seed"));
        }
    }
    SECTION("max-connections: 1 to 1000000") {
        for (std::string_view bad : {"0", "1000001", "x"}) {
            INFO(bad);
            CHECK(contains(usage_error_of({"--max-connections", bad}), "expected a number from 1 to 1000000"));
        }
    }
    SECTION("max-sessions: 1 to 1000000") {
        for (std::string_view bad : {"0", "1000001", "-1", "10k", "", "many"}) {
            INFO("'" << bad << "'");
            auto error = usage_error_of({"--max-sessions", bad});
            CHECK(contains(error, "invalid value '" + std::string{bad} + "' for --max-sessions"));
            CHECK(contains(error, "expected a number from 1 to 1000000"));
        }
    }
    SECTION("max-header-fields: 1 to 10000") {
        for (std::string_view bad : {"0", "10001", "-1", "1KiB", ""}) {
            INFO("'" << bad << "'");
            auto error = usage_error_of({"--max-header-fields", bad});
            CHECK(contains(error, "invalid value '" + std::string{bad} + "' for --max-header-fields"));
            CHECK(contains(error, "expected a number from 1 to 10000"));
        }
    }
    SECTION("max-regex-work: 1 to 10^12") {
        for (std::string_view bad : {"0", "1000000000001", "-1", "8MiB", "", "lots"}) {
            INFO("'" << bad << "'");
            auto error = usage_error_of({"--max-regex-work", bad});
            CHECK(contains(error, "invalid value '" + std::string{bad} + "' for --max-regex-work"));
            CHECK(contains(error, "expected a number from 1 to 1000000000000"));
        }
    }
    SECTION("sizes") {
        for (std::string_view flag : {"--max-header-size", "--max-body-size", "--max-body-memory", "--max-uri-size",
                                      "--max-scenario-bytes", "--max-quota-bytes"}) {
            for (std::string_view bad : {"0", "0KiB", "-1", "1 KiB", "1kib", "big", "1TiB", ""}) {
                INFO(flag << " '" << bad << "'");
                auto error = usage_error_of({flag, bad});
                CHECK(contains(error, "invalid size '" + std::string{bad} + "' for " + std::string{flag}));
                CHECK(contains(error, "16KiB"));
            }
        }
    }
}

TEST_CASE("parse_options: --max-body-memory must hold one body of --max-body-size", "[cli]") {
    CHECK(contains(usage_error_of({"--max-body-size", "2MiB", "--max-body-memory", "1MiB"}),
                   "--max-body-memory 1 MiB cannot hold one body of --max-body-size 2 MiB"));
    CHECK(contains(usage_error_of({"--max-body-size", "512MiB"}), "--max-body-memory 256 MiB cannot hold"));
}

TEST_CASE("parse_options: bad durations", "[cli]") {
    for (std::string_view flag : {"--max-delay", "--header-timeout", "--idle-timeout", "--body-timeout",
                                  "--write-timeout", "--shutdown-grace", "--session-ttl"}) {
        for (std::string_view bad : {"5", "5x", "-1s", "2 s", "", "25h", "soon"}) {
            INFO(flag << " '" << bad << "'");
            auto error = usage_error_of({flag, bad});
            CHECK(contains(error, "invalid duration '" + std::string{bad} + "' for " + std::string{flag}));
            CHECK(contains(error, "250ms"));
        }
    }
    CHECK(contains(usage_error_of({"--max-delay=10"}), "invalid duration '10' for --max-delay"));
    // A session forgotten at once would make isolate_by pointless: 0 is refused.
    for (std::string_view zero : {"0s", "0ms", "0.2ms"}) {
        INFO(zero);
        auto error = usage_error_of({"--session-ttl", zero});
        CHECK(contains(error, "invalid duration '" + std::string{zero} + "' for --session-ttl"));
        CHECK(contains(error, "expected more than 0"));
    }
}

TEST_CASE("parse_options: bad log level and format", "[cli]") {
    for (std::string_view bad : {"verbose", "INFO", "warning", "", "fatal"}) {
        INFO("'" << bad << "'");
        auto error = usage_error_of({"--log-level", bad});
        CHECK(contains(error, "invalid --log-level '" + std::string{bad} + "'"));
        CHECK(contains(error, "trace, debug, info, warn, error or off"));
    }
    for (std::string_view bad : {"xml", "JSON", "", "logfmt"}) {
        INFO("'" << bad << "'");
        auto error = usage_error_of({"--log-format", bad});
        CHECK(contains(error, "invalid --log-format '" + std::string{bad} + "'"));
        CHECK(contains(error, "text or json"));
    }
    CHECK(contains(usage_error_of({"--log-level=loud"}), "invalid --log-level 'loud'"));
}

TEST_CASE("usage() lists every flag", "[cli]") {
    std::string text{teapot::cli::usage()};
    for (std::string_view flag : {"--host",
                                  "--port",
                                  "--scenarios",
                                  "--threads",
                                  "--seed",
                                  "--max-delay",
                                  "--max-connections",
                                  "--max-header-size",
                                  "--max-header-fields",
                                  "--max-body-size",
                                  "--max-body-memory",
                                  "--max-uri-size",
                                  "--header-timeout",
                                  "--idle-timeout",
                                  "--body-timeout",
                                  "--write-timeout",
                                  "--shutdown-grace",
                                  "--log-level",
                                  "--log-format",
                                  "--quiet",
                                  "--version",
                                  "--help",
                                  "codes"}) {
        INFO(flag);
        CHECK(contains(text, flag));
    }
    for (std::string_view flag : {"--no-watch", "--journal-size", "--session-ttl", "--max-sessions", "--max-regex-work",
                                  "--admin-token", "--no-admin", "--debug-headers", "--strict-knobs",
                                  "--allowed-redirect-hosts", "--max-scenario-bytes", "--max-quota-bytes"}) {
        INFO(flag);
        CHECK(contains(text, flag));
    }
}

TEST_CASE("parse_options: admin API flags", "[cli][admin]") {
    auto defaults = parse_options({});
    CHECK(defaults.server.admin);
    CHECK(defaults.server.admin_token.empty());
    CHECK(defaults.server.journal_size == 10'000);
    CHECK_FALSE(defaults.server.debug_headers);
    CHECK(parse_options({"--debug-headers"}).server.debug_headers);
    CHECK(parse_options({"--strict-knobs"}).server.strict_knobs);
    CHECK_FALSE(parse_options({}).server.strict_knobs);
    CHECK(contains(usage_error_of({"--strict-knobs=yes"}), "--strict-knobs takes no value"));
    CHECK(contains(usage_error_of({"--debug-headers=yes"}), "--debug-headers takes no value"));
    auto o = parse_options({"--journal-size", "50", "--admin-token", "abc-123_x", "--no-admin"});
    CHECK(o.server.journal_size == 50);
    CHECK(o.server.admin_token == "abc-123_x");
    CHECK_FALSE(o.server.admin);
    CHECK(contains(usage_error_of({"--admin-token", "has space"}), "--admin-token needs"));
    CHECK(contains(usage_error_of({"--admin-token="}), "--admin-token needs"));
    CHECK(contains(usage_error_of({"--no-admin=1"}), "--no-admin takes no value"));
    CHECK(contains(usage_error_of({"--journal-size", "-1"}), "--journal-size"));
}

TEST_CASE("parse_options: --allowed-redirect-hosts", "[cli]") {
    CHECK(parse_options({}).server.allowed_redirect_hosts.empty());
    both_forms("--allowed-redirect-hosts", "a.test,127.0.0.1,[::1],Web-1.Example_x", [](const auto& o) {
        CHECK(o.server.allowed_redirect_hosts ==
              std::vector<std::string>{"a.test", "127.0.0.1", "[::1]", "Web-1.Example_x"});
    });
    for (std::string_view bad : {"", "a.test,", ",a.test", "a.test:8080", "http://a.test", "a test", "[::1", "a/b"}) {
        INFO("'" << bad << "'");
        CHECK(contains(usage_error_of({"--allowed-redirect-hosts", bad}), "for --allowed-redirect-hosts"));
    }
    CHECK(contains(usage_error_of({"--allowed-redirect-hosts"}), "--allowed-redirect-hosts needs a value"));
}

TEST_CASE("parse_options: what the journal keeps, in all and per request", "[cli][journal]") {
    const auto defaults = parse_options({}).server;
    CHECK(defaults.journal_bytes == 64 * 1024 * 1024);
    CHECK(defaults.journal_body_bytes == 64 * 1024);
    CHECK(defaults.journal_fields == 100);
    CHECK(defaults.journal_field_bytes == 16 * 1024);
    CHECK(defaults.journal_page_bytes == 1024 * 1024);
    both_forms("--journal-bytes", "8MiB", [](const auto& o) { CHECK(o.server.journal_bytes == 8 * 1024 * 1024); });
    both_forms("--journal-body-bytes", "1KiB", [](const auto& o) { CHECK(o.server.journal_body_bytes == 1024); });
    both_forms("--journal-fields", "0", [](const auto& o) { CHECK(o.server.journal_fields == 0); });
    both_forms("--journal-field-bytes", "4096", [](const auto& o) { CHECK(o.server.journal_field_bytes == 4096); });
    both_forms("--journal-page-bytes", "256KiB",
               [](const auto& o) { CHECK(o.server.journal_page_bytes == 256 * 1024); });
    for (std::string_view flag :
         {"--journal-bytes", "--journal-body-bytes", "--journal-field-bytes", "--journal-page-bytes"}) {
        INFO(flag);
        CHECK(contains(usage_error_of({flag, "0"}), "invalid size '0' for " + std::string{flag}));
        CHECK(contains(usage_error_of({flag}), std::string{flag} + " needs a value"));
        CHECK(contains(std::string{teapot::cli::usage()}, flag));
    }
    CHECK(contains(usage_error_of({"--journal-fields", "-1"}), "expected a number from 0 to 100000"));
    CHECK(contains(std::string{teapot::cli::usage()}, "--journal-fields"));
}

TEST_CASE("parse_options: --tls-port beside --port serves both, and alone HTTPS only", "[cli][tls]") {
    auto both = parse_options(args{"--port", "0", "--tls-port", "8443", "--tls-name", "api.test", "--tls-name",
                                   "10.0.0.5", "--ca-out", "/tmp/ca.pem"});
    CHECK(both.server.plain_http);
    CHECK(both.server.tls.port == std::uint16_t{8443});
    CHECK(both.server.tls.names == std::vector<std::string>{"api.test", "10.0.0.5"});
    CHECK(both.tls.ca_out == "/tmp/ca.pem");
    auto alone = parse_options(args{"--tls-port=0"});
    CHECK_FALSE(alone.server.plain_http);
    CHECK(alone.server.tls.port == std::uint16_t{0});
    auto plain = parse_options(args{});
    CHECK(plain.server.plain_http);
    CHECK_FALSE(plain.server.tls.port);
    auto files = parse_options(args{"--tls-port", "0", "--tls-ca-cert", "ca.crt", "--tls-ca-key", "ca.key",
                                    "--tls-cert", "leaf.crt", "--tls-key", "leaf.key"});
    CHECK(files.tls.ca_certificate == "ca.crt");
    CHECK(files.tls.ca_key == "ca.key");
    CHECK(files.tls.certificate == "leaf.crt");
    CHECK(files.tls.key == "leaf.key");
    // One port for both: the plain one stays on, with or without a port of HTTPS's own.
    auto one_port = parse_options(args{"--port", "0", "--tls-on-plain-port", "--ca-out", "ca.pem"});
    CHECK(one_port.server.plain_http);
    CHECK(one_port.server.tls.on_plain_port);
    CHECK_FALSE(one_port.server.tls.port);
    CHECK(parse_options(args{"--tls-port", "0", "--tls-on-plain-port"}).server.plain_http);
    CHECK(contains(usage_error_of({"--tls-on-plain-port=yes"}), "--tls-on-plain-port"));
    CHECK(parse_options(args{"--tls-port", "0", "--tls-alerts"}).server.tls.alerts);
    CHECK_FALSE(parse_options(args{"--tls-port", "0"}).server.tls.alerts);
}

TEST_CASE("parse_options: TLS flags that cannot work together are usage errors that say why", "[cli][tls]") {
    CHECK(contains(usage_error_of({"--ca-out", "ca.pem"}), "need --tls-port"));
    CHECK(contains(usage_error_of({"--tls-name", "a.test"}), "need --tls-port"));
    CHECK(contains(usage_error_of({"--tls-alerts"}), "need --tls-port"));
    CHECK(contains(usage_error_of({"--tls-port", "0", "--tls-ca-cert", "ca.crt"}), "go together"));
    CHECK(contains(usage_error_of({"--tls-port", "0", "--tls-key", "k"}), "go together"));
    CHECK(contains(usage_error_of({"--tls-port", "0", "--tls-cert", "c", "--tls-key", "k", "--tls-name", "x"}),
                   "serves your own"));
    CHECK(contains(usage_error_of({"--tls-port", "70000"}), "invalid value '70000' for --tls-port"));
    CHECK(contains(usage_error_of({"--tls-port", "0", "--tls-name="}), "--tls-name needs"));
    CHECK(contains(usage_error_of({"--tls-port", "0", "--ca-out="}), "--ca-out needs a file name"));
}

TEST_CASE("parse_options: --tls-cases and --client-cert-out need --tls-port, and --tls-cases", "[cli][tls]") {
    auto o = parse_options(args{"--tls-port", "0", "--tls-cases", "--client-cert-out", "client.pem"});
    CHECK(o.server.tls.cases);
    CHECK(o.tls.client_cert_out == "client.pem");
    CHECK(contains(usage_error_of({"--tls-cases"}), "need --tls-port"));
    CHECK(contains(usage_error_of({"--tls-port", "0", "--client-cert-out", "c.pem"}), "needs --tls-cases"));
    CHECK(contains(usage_error_of({"--tls-port", "0", "--tls-cases=yes"}), "takes no value"));
}

TEST_CASE("parse_options: --no-httpbin, --httpbin-prefix (checked, with the reason) and --httpbin-real-hostname",
          "[cli]") {
    CHECK(parse_options({}).server.httpbin);
    CHECK_FALSE(parse_options({"--no-httpbin"}).server.httpbin);
    both_forms("--httpbin-prefix", "/httpbin", [](const auto& o) { CHECK(o.server.httpbin_prefix == "/httpbin"); });
    CHECK(contains(usage_error_of({"--httpbin-prefix", "httpbin"}), "starts with /"));
    CHECK(contains(usage_error_of({"--httpbin-prefix", "/a/"}), "does not end with one"));
    CHECK(contains(usage_error_of({"--httpbin-prefix", "/__teapot"}), "admin API"));
    CHECK(contains(usage_error_of({"--no-httpbin=1"}), "--no-httpbin"));
    CHECK_FALSE(parse_options({}).server.httpbin_real_hostname);
    CHECK(parse_options({"--httpbin-real-hostname"}).server.httpbin_real_hostname);
    CHECK(contains(usage_error_of({"--httpbin-real-hostname=yes"}), "--httpbin-real-hostname"));
}

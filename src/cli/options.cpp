#include "cli/options.hpp"

#include "handlers/httpbin/prefix.hpp"
#include "util/byte_size.hpp"
#include "util/duration.hpp"
#include "util/edit_distance.hpp"
#include "util/whole_number.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <string>
#include <vector>

namespace teapot::cli {
namespace {

template <typename T>
T parse_number(std::string_view flag, std::string_view v, T min, T max) {
    const auto parsed = teapot::detail::parse_whole<T>(v);
    const T n = parsed.value_or(T{});
    if (!parsed || n < min || n > max)
        throw usage_error("invalid value '" + std::string{v} + "' for " + std::string{flag} +
                          ": expected a number from " + std::to_string(min) + " to " + std::to_string(max));
    return n;
}

std::chrono::milliseconds parse_duration_flag(std::string_view flag, std::string_view v) {
    auto d = detail::parse_duration(v);
    if (!d)
        throw usage_error("invalid duration '" + std::string{v} + "' for " + std::string{flag} +
                          ": expected e.g. 250ms, 2s or 1m");
    return *d;
}

std::size_t parse_size_flag(std::string_view flag, std::string_view v) {
    auto n = detail::parse_byte_size(v);
    if (!n || *n == 0)
        throw usage_error("invalid size '" + std::string{v} + "' for " + std::string{flag} +
                          ": expected e.g. 16384, 16KiB or 1MiB");
    return *n;
}

// "a.test,b.test:8080" is not a host list: hosts only (names, IPv4, [IPv6]), no ports.
std::vector<std::string> parse_host_list(std::string_view flag, std::string_view v) {
    std::vector<std::string> hosts;
    auto name_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
    };
    auto v6_char = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.'; };
    for (;;) {
        auto comma = v.find(',');
        auto host = v.substr(0, comma);
        bool v6 = host.size() > 2 && host.front() == '[' && host.back() == ']' &&
                  std::all_of(host.begin() + 1, host.end() - 1, v6_char);
        if (!v6 && (host.empty() || !std::all_of(host.begin(), host.end(), name_char)))
            throw usage_error(
                "invalid host '" + std::string{host} + "' for " + std::string{flag} +
                ": expected host names or addresses separated by commas, e.g. example.test,127.0.0.1,[::1]");
        hosts.emplace_back(host);
        if (comma == std::string_view::npos) return hosts;
        v.remove_prefix(comma + 1);
    }
}

// "; did you mean --seed?" for a typo of a flag the usage lists (two edits at most), else "".
std::string did_you_mean(std::string_view flag) {
    if (flag.size() > 64) return {};  // a flag is short; the distance is quadratic
    std::string_view best;
    std::size_t best_distance = 3;
    std::string_view text = usage();
    for (std::size_t at = text.find("\n  --"); at != std::string_view::npos; at = text.find("\n  --", at + 1)) {
        auto name = text.substr(at + 3);
        name = name.substr(0, name.find_first_of(" \n"));
        if (const auto d = detail::edit_distance(flag, name); d < best_distance) {
            best = name;
            best_distance = d;
        }
    }
    return best.empty() ? std::string{} : "; did you mean " + std::string{best} + "?";
}

}  // namespace

std::string_view usage() noexcept {
    return R"(usage: teapot [serve] [options]     run the server
       teapot codes                 print the status catalogue
       teapot check PATH...         validate scenario files (exit 1 on errors)
       teapot help | --help | --version

options:
  --host H              address to listen on (default 127.0.0.1)
  --port P              port, 0 for an ephemeral one (default 8080)
  --tls-port P          serve HTTPS on port P too, 0 for an ephemeral one; without --port,
                        HTTPS only (docs/tls.md)
  --tls-on-plain-port   the --port serves HTTPS too, each connection told apart by its first
                        byte (0x16 opens TLS); no --tls-port needed (docs/tls.md)
  --tls-alerts          let the tls-alert fault seal its alert under TLS 1.3 too: keeps each
                        connection's traffic secret, which costs every handshake (docs/tls.md)
  --tls-name N          a name (DNS or IP) the generated certificate also holds, besides localhost,
                        127.0.0.1, ::1 and --host (repeatable)
  --tls-cases           serve every TLS case (expired, wrong-host, tls1.0...) on a port of its
                        own, listed at start and by GET /__teapot/tls
  --client-cert-out FILE
                        with --tls-cases: write a client certificate and its key (PEM, mode 0600),
                        issued by the CA, for the client-cert-required case
  --ca-out FILE         write the CA certificate (PEM) there at start, for clients to trust
                        (also GET /__teapot/ca.pem)
  --tls-ca-cert FILE    with --tls-ca-key: the CA that issues the certificate, kept across runs
  --tls-ca-key FILE     (default: a CA generated at start, in memory)
  --tls-cert FILE       with --tls-key: serve this certificate chain (PEM, the leaf first)
  --tls-key FILE        and its key instead of a generated one
  --no-http2            serve HTTP/1.1 only: no h2 in ALPN, no h2c (docs/http2.md)
  --http2-max-streams N streams an HTTP/2 connection may have open at once (default 100,
                        1 to 1000)
  --scenarios PATH      scenario file or folder (repeatable)
  --no-watch            do not reload scenarios when their files change (SIGHUP still does)
  --threads N           worker threads (default: one per core but one, at least 1)
  --seed N              seed for reproducible random choices
  --max-delay D         longest delay a request may ask for (default 60s)
  --max-connections N   open connections before new ones get 503 (default 10000)
  --max-header-size S   request header section limit, and the trailer section's; 431
                        beyond (default 16KiB, at most 64KiB)
  --max-header-fields N fields in the header section, and in the trailer section; 431 beyond
                        (default 100, at most 10000)
  --max-body-size S     request content limit, 413 beyond (default 1MiB)
  --max-body-memory S   request content held at once, all connections together; a body that
                        would pass it gets 503 + Retry-After (default 256MiB, at least --max-body-size)
  --max-uri-size S      request-target limit, 414 beyond (default 8KiB)
  --header-timeout D    time to receive a request's headers (default 10s)
  --idle-timeout D      keep-alive wait for the next request (default 60s)
  --body-timeout D      time to receive a request's content (default 30s)
  --write-timeout D     time to write one response to a client (default 30s)
  --shutdown-grace D    time in-flight responses get on SIGINT/SIGTERM (default 5s)
  --journal-size N      requests the admin API's journal keeps (default 10000; 0: off)
  --journal-bytes S     memory the journal's entries may hold; the oldest go first (default 64MiB)
  --journal-body-bytes S
                        of each request's body the journal keeps (default 64KiB)
  --journal-fields N    header and trailer fields the journal keeps per request (default 100)
  --journal-field-bytes S
                        bytes of their names and values kept per request (default 16KiB)
  --journal-page-bytes S
                        JSON of one page of GET /__teapot/requests (default 1MiB)
  --session-ttl D       a scenario session idle this long starts afresh (default 10m)
  --max-sessions N      sessions a scenario keeps; the least recently used goes (default 10000)
  --max-regex-work N    work one scenario regex match may take, RE2 program size x subject
                        bytes; a larger match is not run and the request is a 500 (default 8388608)
  --max-scenario-bytes S
                        scenarios in force, aliases resolved; one more is refused (a post: 507)
                        (default 64MiB)
  --max-quota-bytes S   quota windows of every route's limit; a new key beyond gets 503 (default 16MiB)
  --admin-token T       admin API (/__teapot/) needs Authorization: Bearer T, from any address
                        (without it: loopback clients only)
  --no-admin            do not serve the admin API
  --allowed-redirect-hosts H1,H2
                        ?location= (and ?header=Location:) may only name these hosts
                        (default: any URI; a reference without a host is always allowed)
  --strict-knobs        a /status query parameter that is not a knob is a 400 (default: ignored,
                        named in the X-Teapot-Ignored-Params response field)
  --no-httpbin          do not serve httpbin's endpoints (/get, /post, /anything...)
  --httpbin-prefix P    serve httpbin's endpoints under P (/httpbin: /httpbin/get), not at the root
  --httpbin-real-hostname
                        /hostname answers this machine's host name (default: "teapot")
  --debug-headers       scenario answers carry X-Teapot-Scenario, -Route, -Step and -Session
  --log-level L         trace, debug, info, warn, error or off (default info)
  --log-format F        text or json (default text)
  --quiet               no access log (same as --log-level warn)
durations: 250ms, 2s, 1m, 1h; sizes: 16384, 16KiB, 1MiB
)";
}

std::string_view short_usage() noexcept {
    return "usage: teapot [serve] [options] | teapot codes | teapot check PATH... | teapot help\n"
           "'teapot --help' lists every option\n";
}

options parse_options(const std::vector<std::string_view>& args) {
    options o;
    auto& s = o.server;
    auto& l = s.request_limits;
    std::size_t i = 0;
    bool port_given = false;
    auto file_flag = [](std::string_view flag, std::string_view v) {
        if (v.empty()) throw usage_error(std::string{flag} + " needs a file name");
        return std::string{v};
    };
    if (i < args.size() && args[i] == "serve")
        ++i;
    else if (i < args.size() && args[i] == "check") {
        o.what = command::check;
        o.check_paths.assign(args.begin() + 1, args.end());
        if (o.check_paths.empty()) throw usage_error("'check' needs at least one scenario file or folder");
        return o;
    } else if (i < args.size() && args[i] == "codes") {
        o.what = command::codes;
        if (args.size() > 1) throw usage_error("'codes' takes no arguments");
        return o;
    } else if (i < args.size() && args[i] == "help") {
        o.what = command::help;
        if (args.size() > 1) throw usage_error("'help' takes no arguments");
        return o;
    }

    for (; i < args.size(); ++i) {
        std::string_view flag = args[i];
        std::string_view inline_value;
        bool has_inline = false;
        if (auto eq = flag.find('='); flag.starts_with("--") && eq != std::string_view::npos) {
            inline_value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
            has_inline = true;
        }
        auto value = [&]() -> std::string_view {
            if (has_inline) return inline_value;
            if (i + 1 >= args.size()) throw usage_error(std::string{flag} + " needs a value");
            return args[++i];
        };
        auto no_value = [&] {
            if (has_inline) throw usage_error(std::string{flag} + " takes no value");
        };

        if (flag == "--help" || flag == "-h") {
            no_value();
            o.what = command::help;
        } else if (flag == "--version" || flag == "-V") {
            no_value();
            o.what = command::version;
        } else if (flag == "--host") {
            s.host = std::string{value()};
            if (s.host.empty()) throw usage_error("--host needs a non-empty address");
        } else if (flag == "--port") {
            s.port = parse_number<std::uint16_t>(flag, value(), 0, 65535);
            port_given = true;
        } else if (flag == "--tls-port")
            s.tls.port = parse_number<std::uint16_t>(flag, value(), 0, 65535);
        else if (flag == "--tls-name") {
            auto v = value();
            if (v.empty()) throw usage_error("--tls-name needs a host name or an IP address");
            s.tls.names.emplace_back(v);
        } else if (flag == "--tls-cases") {
            no_value();
            s.tls.cases = true;
        } else if (flag == "--tls-on-plain-port") {
            no_value();
            s.tls.on_plain_port = true;
        } else if (flag == "--tls-alerts") {
            no_value();
            s.tls.alerts = true;
        } else if (flag == "--client-cert-out")
            o.tls.client_cert_out = file_flag(flag, value());
        else if (flag == "--ca-out")
            o.tls.ca_out = file_flag(flag, value());
        else if (flag == "--tls-ca-cert")
            o.tls.ca_certificate = file_flag(flag, value());
        else if (flag == "--tls-ca-key")
            o.tls.ca_key = file_flag(flag, value());
        else if (flag == "--tls-cert")
            o.tls.certificate = file_flag(flag, value());
        else if (flag == "--tls-key")
            o.tls.key = file_flag(flag, value());
        else if (flag == "--scenarios")
            s.scenario_paths.emplace_back(value());
        else if (flag == "--threads")
            s.threads = parse_number<unsigned>(flag, value(), 1, 256);
        else if (flag == "--seed")
            s.seed = parse_number<std::uint64_t>(flag, value(), 0, std::numeric_limits<std::uint64_t>::max());
        else if (flag == "--max-delay")
            s.max_delay = parse_duration_flag(flag, value());
        else if (flag == "--max-connections")
            l.max_connections = parse_number<std::size_t>(flag, value(), 1, 1'000'000);
        else if (flag == "--max-header-size") {
            auto v = value();
            l.max_header_bytes = parse_size_flag(flag, v);
            if (l.max_header_bytes > limits::header_bytes_ceiling)
                throw usage_error("invalid size '" + std::string{v} +
                                  "' for --max-header-size: at most 64KiB (a header field is held in 64 KiB)");
        } else if (flag == "--max-header-fields")
            l.max_header_fields = parse_number<std::size_t>(flag, value(), 1, 10'000);
        else if (flag == "--max-body-size")
            l.max_body_bytes = parse_size_flag(flag, value());
        else if (flag == "--max-body-memory")
            l.max_body_memory = parse_size_flag(flag, value());
        else if (flag == "--max-uri-size")
            l.max_target_bytes = parse_size_flag(flag, value());
        else if (flag == "--header-timeout")
            l.header_timeout = parse_duration_flag(flag, value());
        else if (flag == "--idle-timeout")
            l.idle_timeout = parse_duration_flag(flag, value());
        else if (flag == "--body-timeout")
            l.body_timeout = parse_duration_flag(flag, value());
        else if (flag == "--write-timeout")
            l.write_timeout = parse_duration_flag(flag, value());
        else if (flag == "--shutdown-grace")
            s.shutdown_grace = parse_duration_flag(flag, value());
        else if (flag == "--log-level") {
            o.log_level = std::string{value()};
            if (o.log_level != "trace" && o.log_level != "debug" && o.log_level != "info" && o.log_level != "warn" &&
                o.log_level != "error" && o.log_level != "off")
                throw usage_error("invalid --log-level '" + o.log_level +
                                  "': expected trace, debug, info, warn, error or off");
        } else if (flag == "--log-format") {
            auto f = value();
            if (f == "text")
                s.format = log_format::text;
            else if (f == "json")
                s.format = log_format::json;
            else
                throw usage_error("invalid --log-format '" + std::string{f} + "': expected text or json");
        } else if (flag == "--no-watch") {
            no_value();
            s.watch_scenarios = false;
        } else if (flag == "--no-http2") {
            no_value();
            s.http2 = false;
        } else if (flag == "--http2-max-streams") {
            s.http2_max_streams = parse_number<std::uint32_t>(flag, value(), 1, 1000);
        } else if (flag == "--journal-size") {
            s.journal_size = parse_number<std::size_t>(flag, value(), 0, 10'000'000);
        } else if (flag == "--journal-bytes") {
            s.journal_bytes = parse_size_flag(flag, value());
        } else if (flag == "--journal-body-bytes") {
            s.journal_body_bytes = parse_size_flag(flag, value());
        } else if (flag == "--journal-fields") {
            s.journal_fields = parse_number<std::size_t>(flag, value(), 0, 100'000);
        } else if (flag == "--journal-field-bytes") {
            s.journal_field_bytes = parse_size_flag(flag, value());
        } else if (flag == "--journal-page-bytes") {
            s.journal_page_bytes = parse_size_flag(flag, value());
        } else if (flag == "--session-ttl") {
            auto v = value();
            s.session_ttl = parse_duration_flag(flag, v);
            // 0 would forget every session between two requests: isolate_by would do nothing.
            if (s.session_ttl.count() == 0)
                throw usage_error("invalid duration '" + std::string{v} +
                                  "' for --session-ttl: expected more than 0, e.g. 30s or 10m");
        } else if (flag == "--max-sessions") {
            s.max_sessions = parse_number<std::size_t>(flag, value(), 1, 1'000'000);
        } else if (flag == "--max-regex-work") {
            s.max_regex_work = parse_number<std::uint64_t>(flag, value(), 1, 1'000'000'000'000);
        } else if (flag == "--max-scenario-bytes") {
            s.max_scenario_bytes = parse_size_flag(flag, value());
        } else if (flag == "--max-quota-bytes") {
            s.max_quota_bytes = parse_size_flag(flag, value());
        } else if (flag == "--admin-token") {
            s.admin_token = std::string{value()};
            // RFC 6750 §2.1 b64token: what can follow "Bearer " on the wire.
            auto token_char = [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) ||
                       std::string_view{"-._~+/="}.find(c) != std::string_view::npos;
            };
            if (s.admin_token.empty() || !std::all_of(s.admin_token.begin(), s.admin_token.end(), token_char))
                throw usage_error("--admin-token needs letters, digits or -._~+/= (a bearer token)");
        } else if (flag == "--allowed-redirect-hosts") {
            s.allowed_redirect_hosts = parse_host_list(flag, value());
        } else if (flag == "--debug-headers") {
            no_value();
            s.debug_headers = true;
        } else if (flag == "--strict-knobs") {
            no_value();
            s.strict_knobs = true;
        } else if (flag == "--no-httpbin") {
            no_value();
            s.httpbin = false;
        } else if (flag == "--httpbin-prefix") {
            s.httpbin_prefix = std::string{value()};
            if (auto why = teapot::detail::httpbin::prefix_problem(s.httpbin_prefix); !why.empty())
                throw usage_error("--httpbin-prefix '" + s.httpbin_prefix + "' " + why);
        } else if (flag == "--httpbin-real-hostname") {
            no_value();
            s.httpbin_real_hostname = true;
        } else if (flag == "--no-admin") {
            no_value();
            s.admin = false;
        } else if (flag == "--quiet" || flag == "-q") {
            no_value();
            o.quiet = true;
        } else if (flag == "codes" || flag == "serve" || flag == "check" || flag == "help")
            throw usage_error("'" + std::string{flag} + "' must come first");
        else
            throw usage_error("unknown option '" + std::string{flag} + "'" + did_you_mean(flag));
    }
    const auto& files = o.tls;
    if (!s.tls.port && !s.tls.on_plain_port &&
        (!s.tls.names.empty() || s.tls.cases || s.tls.alerts || !files.ca_out.empty() ||
         !files.ca_certificate.empty() || !files.ca_key.empty() || !files.certificate.empty() || !files.key.empty()))
        throw usage_error("the TLS options need --tls-port or --tls-on-plain-port: without one, nothing serves HTTPS");
    if (!files.client_cert_out.empty() && !s.tls.cases)
        throw usage_error("--client-cert-out needs --tls-cases: the certificate is for its client-cert-required case");
    if (files.ca_certificate.empty() != files.ca_key.empty())
        throw usage_error("--tls-ca-cert and --tls-ca-key go together: a CA needs its certificate and its key");
    if (files.certificate.empty() != files.key.empty())
        throw usage_error("--tls-cert and --tls-key go together: a certificate needs its key");
    if (!files.certificate.empty() && !s.tls.names.empty())
        throw usage_error("--tls-name names a generated certificate; --tls-cert serves your own");
    // `--tls-port` alone: HTTPS only; with --port, both.
    if (s.tls.port && !port_given && !s.tls.on_plain_port) s.plain_http = false;
    if (s.request_limits.max_body_memory < s.request_limits.max_body_bytes)
        throw usage_error("--max-body-memory " + detail::format_byte_size(s.request_limits.max_body_memory) +
                          " cannot hold one body of --max-body-size " +
                          detail::format_byte_size(s.request_limits.max_body_bytes));
    return o;
}

}  // namespace teapot::cli

#pragma once
// The embeddable teapot server: bind, know when ready, script it, check what
// clients sent, stop. Everything a C++ test needs, without the CLI:
//
//     teapot::server_options opts;
//     opts.port = 0;                       // ephemeral: tests never use fixed ports
//     teapot::server srv{opts};
//     srv.start();                         // returns once the socket accepts
//     srv.load_scenario(R"(
//       name: flaky
//       routes:
//         - id: orders
//           match: { path: /orders }
//           steps: [{ status: 503, times: 2 }, { status: 200 }]
//     )");
//     run the client against srv.url() + "/orders" ...
//     srv.wait_for({.route = "orders"}, 3);       // no sleep: returns once 3 are served
//     auto v = srv.verify("[{route: orders, count: 3}]");   // v.passed, v.diff
//     srv.stop();                          // graceful; the destructor stops too

#include <teapot/journal.hpp>
#include <teapot/verification.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace spdlog {
class logger;
}

namespace teapot {

using milliseconds = std::chrono::milliseconds;

/// The limits a request must respect; each has a documented answer when exceeded.
struct limits {
    /// The largest max_header_bytes a server takes (start() throws std::invalid_argument
    /// beyond): Beast holds a field of at most 65 533 bytes.
    static constexpr std::size_t header_bytes_ceiling = 64 * 1024;

    std::size_t max_header_bytes = 16 * 1024;  ///< whole header section, and the trailer section → 431
    /// Fields in the header section, and in the trailer section → 431. Each parsed field
    /// costs about 120 bytes besides its text: 1 900 fields of a 16 KiB section held 230 KiB.
    std::size_t max_header_fields = 100;
    std::size_t max_body_bytes = 1024 * 1024;  ///< request content → 413
    std::size_t max_target_bytes = 8 * 1024;   ///< request-target (URI) → 414
    milliseconds header_timeout{10'000};       ///< first byte to end of headers; slow clients are dropped
    milliseconds body_timeout{30'000};         ///< reading the whole request content
    milliseconds idle_timeout{60'000};         ///< keep-alive wait for the next request
    milliseconds write_timeout{30'000};        ///< writing one response
    std::size_t max_connections = 10'000;      ///< further connections are closed at once
    /// Request content held at once, all connections together: a body that would pass it
    /// gets a 503 with Retry-After (at least max_body_bytes, else start() throws).
    std::size_t max_body_memory = 256 * 1024 * 1024;
};

/// How access-log and server log lines are written.
enum class log_format { text, json };

/// Everything a server needs; every field has a sensible default.
struct server_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;           ///< 0 binds an ephemeral port
    unsigned threads = 0;                ///< 0: one per core but one (at least 1), leaving a core to the client
    std::optional<std::uint64_t> seed;   ///< makes random choices reproducible
    milliseconds max_delay{60'000};      ///< larger requested delays are a 400
    milliseconds shutdown_grace{5'000};  ///< in-flight responses get this long on stop()
    limits request_limits;
    std::vector<std::string> scenario_paths;  ///< files or folders of scenario files
    bool watch_scenarios = true;              ///< reload when a scenario file changes (inotify)
    std::shared_ptr<spdlog::logger> logger;   ///< null: no logging at all
    std::size_t journal_size = 10'000;        ///< requests the admin API's journal keeps (oldest go first)
    /// Memory the journal's entries may hold (their strings' capacity counted); the oldest go first.
    std::size_t journal_bytes = 64 * 1024 * 1024;
    std::size_t journal_body_bytes = 64 * 1024;    ///< of each request's body; the rest is cut
    std::size_t journal_fields = 100;              ///< header and trailer fields kept per request
    std::size_t journal_field_bytes = 16 * 1024;   ///< bytes of their names and values kept per request
    std::size_t journal_page_bytes = 1024 * 1024;  ///< JSON of one page of GET /__teapot/requests
    milliseconds session_ttl{600'000};             ///< a scenario session idle this long (10 min) is forgotten
    std::size_t max_sessions = 10'000;             ///< keyed sessions kept per scenario; the least recently used goes
    bool admin = true;                             ///< serve the admin API under /__teapot/
    std::string admin_token;                       ///< non-empty: admin requests need `Authorization: Bearer <token>`
    bool debug_headers = false;                    ///< scenario answers say which scenario, route, step and session
    /// A /status query parameter that is not a knob is a 400; by default it is the client's
    /// own (a cache buster, an API key): ignored, and named in X-Teapot-Ignored-Params.
    bool strict_knobs = false;
    /// The most work one scenario regex match may take, RE2 program size × subject bytes
    /// (at most about 13 ns a unit, docs/scenarios.md); a larger match is not run: a 500.
    std::uint64_t max_regex_work = 8 * 1024 * 1024;
    /// Non-empty: a `?location=` (or `?header=Location:`) with a scheme or a host must name one
    /// of these hosts (case-insensitive, IPv6 without brackets), else it is a 400; a reference
    /// without a host (/status/200) always may. Empty: any URI, by design for testing.
    std::vector<std::string> allowed_redirect_hosts;
    /// Every scenario in force (files and loaded at run time), as the loader meters them with
    /// aliases resolved; one more that does not fit is refused (the admin API: 413 or 507).
    std::size_t max_scenario_bytes = 64 * 1024 * 1024;
    /// Every quota window of every route's `limit` (its key and a fixed overhead); a request
    /// needing a new window that does not fit, once expired windows are reclaimed, gets a 503.
    std::size_t max_quota_bytes = 16 * 1024 * 1024;
    log_format format = log_format::text;
};

/// The version string, also sent in `Server: teapot/<version>`.
std::string_view version() noexcept;

/// A scenario (or rules) that did not load: every error, as "source:line:col: message".
class scenario_error : public std::invalid_argument {
public:
    explicit scenario_error(std::vector<std::string> errors);
    const std::vector<std::string>& errors() const noexcept { return errors_; }

private:
    std::vector<std::string> errors_;
};

/// An HTTP server running on its own threads.
class server {
public:
    explicit server(server_options options);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    /// Binds, starts the worker threads and returns once connections are accepted.
    /// Throws std::system_error when the address cannot be bound.
    void start();

    /// The bound port (the real one when 0 was asked for). Valid after start().
    std::uint16_t port() const noexcept;

    /// The host the server listens on, as given in the options.
    const std::string& host() const noexcept;

    /// Re-reads the scenario paths and swaps the new set in atomically; on
    /// errors the previous set keeps serving. Returns the errors
    /// ("file:line:col: message"), empty on success. Changes on disk trigger
    /// this by themselves (inotify); the CLI also calls it on SIGHUP.
    std::vector<std::string> reload_scenarios();

    /// "http://HOST:PORT" with the bound port (an IPv6 host in brackets). Valid after start().
    std::string url() const;

    /// The seed of this run's random draws (/status choices and every scenario without
    /// a `seed:` of its own): server_options::seed, or one drawn at construction.
    /// Given back as the seed (--seed), it replays them.
    std::uint64_t seed() const noexcept;

    /// Loads one scenario from YAML text (a scenario file's content, with a `name:`)
    /// and serves it beside those of scenario_paths, replacing any of the same name.
    /// Routes whose id and content are unchanged keep their cursors. body_file is
    /// refused: text has no directory (use load_scenario_file). Throws scenario_error
    /// with every error; nothing changes then. Valid after start().
    void load_scenario(std::string_view yaml);

    /// As load_scenario, from a file: its body_file paths start in its directory, and
    /// without a `name:` it is named after the file. Not watched for changes.
    void load_scenario_file(const std::string& path);

    /// Stops serving scenario `name` (a file's too, until the next start). False when
    /// it is not loaded.
    bool remove_scenario(std::string_view name);

    /// Starts sequences over: cursors, named states, quotas and random streams of
    /// every scenario (or `scenario`), of every session (or the keyed session
    /// `session`), and forgets their requests. Throws std::invalid_argument when
    /// `scenario` is not loaded.
    void reset(std::optional<std::string> scenario = std::nullopt, std::optional<std::string> session = std::nullopt);

    /// Sets the named state of one session of `scenario` ("" the global session), or
    /// clears it with nullopt. Throws std::invalid_argument when `scenario` is not loaded.
    void set_state(std::string_view scenario, std::string_view session, std::optional<std::string> state);

    /// The journal's entries that `filter` selects, oldest first (at most
    /// journal_size are kept). Throws std::invalid_argument for a route named
    /// without its scenario that is not the id of exactly one loaded scenario's route.
    std::vector<recorded_request> requests(request_filter filter = {}) const;

    /// Forgets every recorded request.
    void clear_requests();

    /// Blocks the caller (never an I/O thread) until `count` requests that `filter`
    /// selects have been served (their response is over), or `timeout` passes.
    /// True when they were. Woken by each completed request: no polling, no sleep.
    bool wait_for(request_filter filter, std::size_t count = 1, milliseconds timeout = milliseconds{5'000}) const;

    /// Evaluates `expect:` rules against what one session's client did ("" the global
    /// session): those of `scenario`, or else those of the scenarios that answered the
    /// session's requests. Throws std::invalid_argument when there is nothing to verify,
    /// and when no session is given while a scenario judged isolates sessions by a key
    /// (without one, every loaded scenario's rules are judged on the global session).
    verification verify_expectations(std::optional<std::string> session = std::nullopt,
                                     std::optional<std::string> scenario = std::nullopt) const;

    /// Evaluates `rules` (a list in the shape of a scenario's `expect:`, YAML or
    /// JSON: "[{route: orders, count: 3}, {route: orders, honors_retry_after: true}]").
    /// A route named alone must be the id of a route of exactly one loaded scenario,
    /// unless `scenario` is given. Throws scenario_error for invalid rules and
    /// std::invalid_argument for rules about routes no loaded scenario has, or when
    /// no session is given while a rule's scenario isolates sessions by a key.
    verification verify(std::string_view rules, std::optional<std::string> session = std::nullopt,
                        std::optional<std::string> scenario = std::nullopt) const;

    /// Stops accepting, lets in-flight responses finish within shutdown_grace,
    /// closes every connection and joins the threads. Idempotent.
    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace teapot

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
#include <teapot/options.hpp>
#include <teapot/tls_cases.hpp>
#include <teapot/verification.hpp>
#include <teapot/version.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace teapot {

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
    /// Throws scenario_error (every error of every file) when a scenario of
    /// scenario_paths does not load, std::invalid_argument for limits that do not
    /// fit together, and std::system_error when the address cannot be bound.
    void start();

    /// The bound port (the real one when 0 was asked for): plain HTTP's, or HTTPS's when
    /// plain HTTP is off. Valid after start().
    std::uint16_t port() const noexcept;

    /// The bound HTTPS port: tls.port's, or with tls.on_plain_port alone the plain one;
    /// 0 without either. Valid after start().
    std::uint16_t tls_port() const noexcept;

    /// The host the server listens on, as given in the options.
    const std::string& host() const noexcept;

    /// Re-reads the scenario paths and swaps the new set in atomically; on
    /// errors the previous set keeps serving. Returns the errors
    /// ("file:line:col: message"), empty on success. Changes on disk trigger
    /// this by themselves (inotify); the CLI also calls it on SIGHUP.
    std::vector<std::string> reload_scenarios();

    /// "http://HOST:PORT" with the bound port (an IPv6 host in brackets), or "https://..."
    /// when plain HTTP is off. Valid after start().
    std::string url() const;

    /// "https://HOST:PORT" with tls_port(); empty when nothing serves HTTPS. Valid after start().
    std::string tls_url() const;

    /// The CA certificate (PEM) that clients trust to reach the HTTPS listener: the one
    /// minted at start, or tls.ca_certificate_pem. Empty without HTTPS, and when the user's
    /// own certificate is served (its issuer is theirs). Valid after start().
    const std::string& ca_pem() const noexcept;

    /// The listeners of tls.cases, in the order of docs/tls.md; empty without it. Valid after start().
    const std::vector<tls_case_listing>& tls_cases() const noexcept;

    /// With tls.cases: a client certificate and its private key (PEM, in that order), issued by
    /// the CA, which the client-cert-required case accepts. Empty without tls.cases. Valid after start().
    const std::string& client_certificate_pem() const noexcept;

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

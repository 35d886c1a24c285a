#pragma once
// The embeddable teapot server: bind, know when ready, stop.
//
//     teapot::server_options opts;
//     opts.port = 0;                       // ephemeral: tests never use fixed ports
//     teapot::server srv{opts};
//     srv.start();                         // returns once the socket accepts
//     connect to srv.port() ...
//     srv.stop();                          // graceful; the destructor stops too

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
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
    std::size_t max_header_bytes = 16 * 1024;  ///< whole header section → 431
    std::size_t max_body_bytes = 1024 * 1024;  ///< request content → 413
    std::size_t max_target_bytes = 8 * 1024;   ///< request-target (URI) → 414
    milliseconds header_timeout{10'000};       ///< first byte to end of headers; slow clients are dropped
    milliseconds body_timeout{30'000};         ///< reading the whole request content
    milliseconds idle_timeout{60'000};         ///< keep-alive wait for the next request
    milliseconds write_timeout{30'000};        ///< writing one response
    std::size_t max_connections = 10'000;      ///< further connections are closed at once
};

/// How access-log and server log lines are written.
enum class log_format { text, json };

/// Everything a server needs; every field has a sensible default.
struct server_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;           ///< 0 binds an ephemeral port
    unsigned threads = 0;                ///< 0: one per core
    std::optional<std::uint64_t> seed;   ///< makes random choices reproducible
    milliseconds max_delay{60'000};      ///< larger requested delays are a 400
    milliseconds shutdown_grace{5'000};  ///< in-flight responses get this long on stop()
    limits request_limits;
    std::vector<std::string> scenario_paths;  ///< files or folders of scenario files
    bool watch_scenarios = true;              ///< reload when a scenario file changes (inotify)
    std::shared_ptr<spdlog::logger> logger;   ///< null: no logging at all
    std::size_t journal_size = 10'000;        ///< requests the admin API's journal keeps (oldest go first)
    bool admin = true;                        ///< serve the admin API under /__teapot/
    std::string admin_token;                  ///< non-empty: admin requests need `Authorization: Bearer <token>`
    bool debug_headers = false;               ///< scenario answers say which scenario, route, step and session
    log_format format = log_format::text;
};

/// The version string, also sent in `Server: teapot/<version>`.
std::string_view version() noexcept;

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

    /// Stops accepting, lets in-flight responses finish within shutdown_grace,
    /// closes every connection and joins the threads. Idempotent.
    void stop();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace teapot

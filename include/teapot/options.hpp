#pragma once
// What a teapot server is configured with: its limits, logging and every option,
// each with a sensible default. Apart from server.hpp so that code that only reads
// them needs nothing else.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
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

/// HTTPS (docs/tls.md). Certificates and keys are PEM text (the CLI reads them from files).
struct tls_options {
    /// Set: serve HTTPS on this port (0: an ephemeral one), beside plain HTTP unless
    /// server_options::plain_http is false.
    std::optional<std::uint16_t> port;
    /// Names the minted leaf also holds (DNS names or IP addresses), besides localhost,
    /// 127.0.0.1, ::1 and server_options::host.
    std::vector<std::string> names;
    /// Both set: the CA that issues the leaf (one a CI image trusts, kept across runs);
    /// both empty: a CA minted at start, in memory.
    std::string ca_certificate_pem;
    std::string ca_key_pem;
    /// Both set: the user's own certificate (its chain, the leaf first) and key are served
    /// as they are; both empty: a leaf issued by the CA at start.
    std::string certificate_pem;
    std::string key_pem;
    /// Also serve every TLS case (expired, wrong-host, tls1.0...), each on an ephemeral port
    /// of its own (server::tls_cases()). Needs the CA's key: minted, or ca_key_pem.
    bool cases = false;
    /// The plain HTTP port serves HTTPS too, each connection told apart by its first byte
    /// (0x16 opens a TLS handshake; no HTTP request does), as MockServer's one port does.
    /// Needs no `port`; the certificate is the one `port` would serve.
    bool on_plain_port = false;
    /// Keep each TLS 1.3 connection's traffic secret (from OpenSSL's key log, in memory only,
    /// never written), so that the tls-alert fault can seal an alert under TLS 1.3. Off by
    /// default: OpenSSL formats the key log in hex on every handshake, 11 to 12 % more
    /// instructions for each (docs/performance.md). TLS 1.2 connections need nothing.
    bool alerts = false;
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
    /// httpbin's endpoints (/get, /post, /anything…: docs/httpbin.md) beside teapot's own.
    bool httpbin = true;
    /// Non-empty: httpbin's endpoints are served under it ("/httpbin" serves /httpbin/get), and
    /// not at the root. "/" then segments of letters, digits and -._~, without a final "/".
    std::string httpbin_prefix;
    /// httpbin's /hostname answers the machine's host name; false: "teapot" (go-httpbin's
    /// -use-real-hostname: a public instance need not tell it).
    bool httpbin_real_hostname = false;
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
    /// HTTP/2 (docs/http2.md): h2 by ALPN on the TLS listener, h2c by the connection preface
    /// on the plain one. False: HTTP/1.1 only (ALPN offers http/1.1 alone).
    bool http2 = true;
    /// HTTP/2's SETTINGS_MAX_CONCURRENT_STREAMS: streams a connection may have open at once.
    std::uint32_t http2_max_streams = 100;
    log_format format = log_format::text;
    tls_options tls;
    /// False: no plain HTTP listener (then tls.port must be set): HTTPS only.
    bool plain_http = true;
};

}  // namespace teapot

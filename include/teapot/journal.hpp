#pragma once
// What the server recorded of the requests it answered: the journal a test
// reads to check what its client sent, and the filters that select from it.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace teapot {

/// What the TLS handshake of a connection settled, as OpenSSL reports it.
struct tls_facts {
    std::string server_name;  ///< the SNI the client sent (RFC 6066 §3); empty when none (an IP address)
    std::string version;      ///< "TLSv1.3", "TLSv1.2"
    std::string cipher;       ///< OpenSSL's name: "TLS_AES_256_GCM_SHA384"
    std::string alpn;         ///< the application protocol selected; empty when the client offered none
    /// The client certificate's subject and issuer (RFC 2253), when one was presented; empty otherwise.
    std::string client_subject;
    std::string client_issuer;
};

/// HTTP/2's ping fault: the PINGs sent before the answer, and how many the client acknowledged.
struct ping_count {
    std::uint32_t sent = 0;
    std::uint32_t acked = 0;
};

/// One request as the journal recorded it, with what answered it.
struct recorded_request {
    std::uint64_t id = 0;  ///< 1, 2, 3... in the order answers were decided
    std::string method;
    std::string target;  ///< as sent
    std::string path;    ///< the target's path, percent-decoded, without the query
    /// Header fields in the order sent, repeats kept: the first ones, up to the journal's
    /// caps (server_options::journal_fields and journal_field_bytes).
    std::vector<std::pair<std::string, std::string>> headers;
    bool headers_truncated = false;  ///< some fields were not kept
    std::size_t header_count = 0;    ///< fields sent
    std::size_t header_bytes = 0;    ///< bytes of their names and values, as sent
    /// The trailer section of a chunked request (RFC 9110 §6.5), apart from the header
    /// fields, within what the header fields left of the same caps.
    std::vector<std::pair<std::string, std::string>> trailers;
    bool trailers_truncated = false;
    std::size_t trailer_count = 0;
    std::size_t trailer_bytes = 0;
    std::string body;  ///< at most server_options::journal_body_bytes of it
    bool body_truncated = false;
    std::size_t body_size = 0;    ///< as sent
    std::string peer;             ///< address:port of the client
    unsigned version = 11;        ///< the protocol that carried it: 10 (HTTP/1.0), 11 (HTTP/1.1) or 20 (HTTP/2)
    std::uint32_t stream_id = 0;  ///< HTTP/2's stream; 0 over HTTP/1
    /// The TLS facts of the connection that carried it (shared by its requests); null over plain HTTP.
    std::shared_ptr<const tls_facts> tls;
    using time_point = std::chrono::system_clock::time_point;
    time_point received;
    std::optional<time_point> first_byte;  ///< none when nothing was sent (reset, close, hang...)
    std::optional<time_point> done;        ///< none while the response is still being sent
    // What answered: a scenario route and step, or nothing ("unmatched").
    std::string scenario;  ///< empty when no scenario route answered
    std::string route;
    std::optional<std::size_t> step;  ///< 1-based
    std::string unmatched;            ///< the nearest miss, when no route answered
    /// The session key of the scenario that answered; for an unmatched request,
    /// every key it carries for a loaded scenario's isolate_by. Empty: the global session.
    std::vector<std::string> sessions;
    int status = 0;     ///< as logged: 444 when nothing was sent, 499 when the client left first
    std::string fault;  ///< the fault carried out, empty when none
    std::optional<std::uint64_t> retry_after_s;  ///< the response's Retry-After, in delta-seconds form
    std::optional<std::size_t> alternative;      ///< the one_of alternative drawn (1-based)
    /// The wait before the first byte (a `delay`, fixed or drawn from a distribution), capped at --max-delay.
    std::chrono::milliseconds delay{0};
    std::optional<ping_count> pings;  ///< set by the ping fault once its answer is over
};

/// Which recorded requests a query, a wait or a reset is about. Every member
/// set must hold (AND); an empty filter selects everything. Written with
/// designated initializers: `srv.requests({.session = "t1", .route = "orders"})`
/// (the `= {}` keep g++ 12's -Wextra quiet about the members left out).
struct request_filter {
    /// Filed under this session key; "" selects the global session (requests filed under no key).
    std::optional<std::string> session = {};
    std::optional<std::string> scenario = {};
    /// A route id. Without `scenario`, it must be the id of a route of exactly one
    /// loaded scenario (the server then fills `scenario` in).
    std::optional<std::string> route = {};
    std::optional<std::string> path = {};     ///< the percent-decoded path, without the query
    std::optional<std::uint64_t> since = {};  ///< entries with a larger id only
};

}  // namespace teapot

#pragma once
// A response plan: what a handler decided to send, in plain std types. The
// session (src/http/) turns it into bytes on the wire; handlers never do I/O.

#include "plan/fault.hpp"
#include "plan/journal_filter.hpp"
#include "plan/response_body.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace teapot::detail {

struct header_field {
    std::string name;
    std::string value;
};

/// A status line and header fields, without framing (the writer adds
/// Content-Length, Date and Server).
struct message_head {
    int status = 200;
    std::string reason;
    std::vector<header_field> headers;

    void set(std::string name, std::string value);  ///< replaces every field of that name
    void add(std::string name, std::string value);  ///< appends another field
    const std::string* find(std::string_view name) const;
};

/// How the final response is framed (RFC 9112 §6.3).
enum class framing {
    content_length,  ///< Content-Length: body size (also sent for HEAD, without the body)
    none,            ///< 1xx, 204, 304: no Content-Length, no Transfer-Encoding, no body
    chunked,         ///< HTTP/1.1's chunked coding, so that `trailers` can follow the body (never to HTTP/1.0)
};

/// Which scenario route answered, for the journal: an empty scenario when a
/// built-in endpoint did (then `unmatched` says why no route did, if any is loaded).
struct answer_origin {
    std::string path;  ///< the request's path, percent-decoded (parsed once, by the router)
    std::string scenario;
    std::string route;
    std::optional<std::size_t> step;         ///< 1-based
    std::size_t step_count = 0;              ///< steps in the route
    std::optional<std::size_t> alternative;  ///< 1-based, for a step with one_of
    std::string unmatched;                   ///< the nearest miss
    std::vector<std::string> sessions;       ///< session keys the request carries
};

/// GET /__teapot/wait: until `count` requests matching `filter` are served, or `timeout`.
struct journal_wait {
    journal_filter filter;
    std::size_t count = 1;
    std::chrono::milliseconds timeout{5000};
};

struct response_plan {
    enum class kind {
        respond,            ///< interim responses (if any), then the final response
        close_silently,     ///< 444: close the connection without a byte
        websocket_echo,     ///< 101: complete the WebSocket handshake, then echo
        wait_for_requests,  ///< the admin API's wait: the session waits on the journal, then answers
        http11_required,    ///< 101 asked over HTTP/2, which has no 101 (RFC 9113 §8.6): HTTP_1_1_REQUIRED
        event_stream,       ///< the dashboard's /__teapot/events: final_head, then an event per journal change
    };
    kind action = kind::respond;
    std::chrono::milliseconds delay{0};  ///< waited on a timer before anything is sent
    std::vector<message_head> interim;   ///< 1xx heads, sent before the final one
    message_head final_head;
    response_body body;  ///< shared with the step or cache it comes from, never copied
    framing body_framing = framing::content_length;
    std::vector<header_field> trailers;  ///< after the body (RFC 9110 §6.5), with framing::chunked only
    bool omit_body = false;              ///< HEAD: same headers as GET, no content
    bool close_after = false;            ///< Connection: close, then close
    detail::fault fault;                 ///< how the response breaks on the wire, if it does
    std::optional<pacing> stream;        ///< the body trickles after the head (time to first byte is `delay`)
    answer_origin origin;                ///< not sent: recorded in the journal
    bool journaled = true;               ///< false for the admin API's own answers
    /// kind::wait_for_requests. Behind a pointer: rare, and a plan lives in every waiting
    /// request's coroutine frame (10 000 delayed requests hold 10 000 plans).
    std::shared_ptr<const journal_wait> wait;
};

}  // namespace teapot::detail

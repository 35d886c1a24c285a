#pragma once
// A parsed request as the router and handlers see it: plain std types, views
// into the session's Beast message, so that deciding *what* to answer never
// needs Beast and stays unit-testable without sockets.

#include "util/ascii.hpp"  // iequals, which every reader of a request uses

#include <teapot/journal.hpp>  // tls_facts

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace teapot::detail {

/// One pair of the request target's query, as the router parsed it.
struct query_param {
    std::string key;
    std::string value;  ///< percent-decoded
};

struct request {
    std::string_view method;
    std::string_view target;
    unsigned version = 11;        ///< 10 or 11, or 20 for HTTP/2
    std::uint32_t stream_id = 0;  ///< HTTP/2's stream; 0 over HTTP/1
    std::vector<std::pair<std::string_view, std::string_view>> headers;
    /// The trailer section of a chunked request, kept apart from `headers` (RFC 9110 §6.5):
    /// matchers, isolate_by, templates and the admin token never read it; the journal keeps it.
    std::vector<std::pair<std::string_view, std::string_view>> trailers;
    std::string_view body;
    std::string_view peer;                 ///< "address:port" of the client, for the journal
    bool from_loopback = true;             ///< the client is on this machine (admin access)
    std::shared_ptr<const tls_facts> tls;  ///< the connection's TLS handshake; null over plain HTTP

    /// The first field named `name` (case-insensitive), or an empty view.
    std::string_view header(std::string_view name) const noexcept;
    bool has_header(std::string_view name) const noexcept;
};

}  // namespace teapot::detail

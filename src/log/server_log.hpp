#pragma once
// The library's logging: one access line per response and a few server
// events, through the logger the embedder passed in (the library never sets
// sinks). In json format every message is one JSON object, so the CLI can wrap
// it with time and level and still print one valid JSON document per line.

#include <teapot/options.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace teapot::detail {

struct access_entry {
    std::uint64_t connection;
    std::string_view method;
    std::string_view target;
    int status;          ///< 444 when closed without a response, 499 when the client left first
    std::size_t bytes;   ///< bytes written for this request, interim responses included
    double duration_ms;  ///< from the end of the request header to the last byte written
    std::string_view peer;
    std::string_view fault = {};  ///< the fault carried out ("reset", "truncate"...), empty for none
};

class server_log {
public:
    server_log(std::shared_ptr<spdlog::logger> logger, log_format format);

    void access(const access_entry& entry) const;
    /// Whether access() writes a line: callers skip reading the clock for it otherwise.
    bool writes_access() const;
    /// Whether connection_event() writes a line.
    bool writes_debug() const;
    /// The start-up event: the URL served, the scenarios loaded, and the seed that replays the run.
    /// `tls_url`: the HTTPS listener's, when there is one beside `url`'s.
    void started(std::string_view url, std::string_view tls_url, std::uint64_t seed,
                 const std::vector<std::string>& scenarios) const;
    void info(std::string_view message) const;
    void warn(std::string_view message) const;
    /// A connection-scoped event, at debug level (errors a client causes are not ours).
    void connection_event(std::uint64_t connection, std::string_view peer, std::string_view message) const;

private:
    std::shared_ptr<spdlog::logger> logger_;
    log_format format_;
};

}  // namespace teapot::detail

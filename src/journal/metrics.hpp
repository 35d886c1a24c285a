#pragma once
// Counters for GET /__teapot/metrics, in Prometheus' text format: responses
// by status and route, faults carried out. Written by every I/O thread once a
// response is over; the gauges (connections, sessions, journal) are read from
// their owners when the page is rendered.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace teapot::detail {

/// What the counters do not hold: read from their owners at render time.
struct metric_gauges {
    std::size_t connections = 0;
    std::size_t journal_entries = 0;
    std::uint64_t journal_dropped = 0;
    std::size_t journal_bytes = 0;                              ///< what the journal's entries hold in memory
    std::size_t journal_waiters = 0;                            ///< GET /__teapot/wait and wait_for() in progress
    std::vector<std::pair<std::string, std::size_t>> sessions;  ///< keyed sessions per scenario
};

class metrics {
public:
    /// One response, with the status logged (444 nothing sent, 499 client gone), the
    /// scenario and route that answered (empty: none did), the fault carried out (or empty),
    /// and the protocol that carried the request (10, 11 or 20, as request::version).
    void count(int status, std::string_view scenario, std::string_view route, std::string_view fault, unsigned version);

    /// The exposition (text format 0.0.4): counters, then `gauges`.
    std::string render(const metric_gauges& gauges) const;

private:
    // Transparent, so that a count looks a row up by string_view without building a key.
    // Not std::less<>: it compares tuple<int, string, string> with tuple<int, string_view,
    // string_view> through tuple's operator<=>, which clang 14 rejects with libstdc++ 12
    // (the fuzz build, docs/fuzzing.md). Both sides are viewed as string_views instead.
    struct response_key_less {
        using is_transparent = void;
        template <class A, class B>
        bool operator()(const A& a, const B& b) const noexcept {
            return view(a) < view(b);
        }
        template <class K>
        static std::tuple<int, std::string_view, std::string_view> view(const K& k) noexcept {
            return {std::get<0>(k), std::get<1>(k), std::get<2>(k)};
        }
    };
    mutable std::mutex mutex_;
    std::map<std::tuple<int, std::string, std::string>, std::uint64_t, response_key_less> responses_;
    std::map<std::string, std::uint64_t, std::less<>> faults_;
    std::uint64_t by_protocol_[3] = {};  ///< HTTP/1.0, HTTP/1.1, HTTP/2
};

}  // namespace teapot::detail

#pragma once
// GET /__teapot/events (docs/dashboard.md): server-sent events telling the dashboard that the
// journal changed; the page then reads the journal in pages, as any client does
// (GET /__teapot/requests), so every event is a few bytes however busy the server is.

#include "journal/journal.hpp"
#include "wire/byte_stream.hpp"
#include "wire/io_deadline.hpp"
#include "wire/net.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace teapot::detail {

/// What the stream writes with, borrowed from its connection.
struct event_stream_wire {
    byte_stream& stream;
    io_deadline& deadline;  ///< armed for each write: a client that stops reading is let go
    std::chrono::milliseconds write_timeout;
    std::weak_ptr<net::steady_timer>& timer;  ///< the wait in progress, which the connection's drain() cancels
    const bool& draining;
};

/// How often it speaks (docs/dashboard.md, "Bounds").
struct event_stream_pace {
    std::chrono::milliseconds heartbeat{5000};    ///< a comment line when nothing happened
    std::chrono::milliseconds min_gap{100};       ///< between two events: 10 a second at most, however busy
    std::chrono::milliseconds lifetime{600'000};  ///< then the stream ends; the page connects again
};

/// Writes `head`, then `event: journal` with {"served": N} (the served entries the journal holds)
/// at once, and again each time that count changes (entries completed, or a reset); until the
/// client leaves, a write times out, the connection drains, or `pace.lifetime` has passed.
net::awaitable<void> stream_journal_events(event_stream_wire wire, journal& source, std::string head,
                                           event_stream_pace pace = {});

}  // namespace teapot::detail

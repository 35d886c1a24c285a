#pragma once
// The handshake faults of the TLS cases: what a listener does instead of the
// handshake, on the TCP socket beneath the TLS stream.

#include "tls/cases.hpp"
#include "wire/byte_stream.hpp"
#include "wire/io_deadline.hpp"
#include "wire/net.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace teapot::detail {

/// Reads the client's first flight (its ClientHello) under `header_timeout`, then carries out
/// `fault`: waits until `max_delay` or the client leaves (hang), resets, or sends the fatal
/// alert and closes. The connection is over afterwards. Returns what happened, for the log.
/// `hang_timer` names the hang's timer meanwhile, so that a server that stops ends it.
net::awaitable<std::string> break_handshake(byte_stream& stream, tls::handshake_fault fault, io_deadline& deadline,
                                            std::chrono::milliseconds header_timeout,
                                            std::chrono::milliseconds max_delay,
                                            std::weak_ptr<net::steady_timer>& hang_timer);

}  // namespace teapot::detail

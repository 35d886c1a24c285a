#pragma once
// /status/101 with a WebSocket handshake: complete it (RFC 6455 §4.2.2) and
// echo every message back until the client closes. Its own file: Beast's
// WebSocket is the heaviest header in the build.

#include "wire/body_budget.hpp"
#include "wire/byte_stream.hpp"
#include "wire/net.hpp"

#include <teapot/options.hpp>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <string>

namespace teapot::detail {

net::awaitable<void> run_websocket_echo(byte_stream stream, beast::http::request<beast::http::string_body> upgrade,
                                        std::string server_header, limits request_limits, body_budget* bodies);

}  // namespace teapot::detail

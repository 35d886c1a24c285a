#pragma once
// Namespace aliases for the I/O layer. Only src/wire/ and src/server.cpp include
// this: handlers decide what to send without Beast, which keeps builds fast.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>

namespace teapot::detail {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

// Every asynchronous step returns its error code instead of throwing:
// `auto [ec, n] = co_await stream.async_read_some(...)`.
using use_tuple_awaitable_t = net::as_tuple_t<net::use_awaitable_t<>>;
inline constexpr use_tuple_awaitable_t use_tuple_awaitable{};

using timer_type = use_tuple_awaitable_t::as_default_on_t<net::steady_timer>;

}  // namespace teapot::detail

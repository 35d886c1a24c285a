#pragma once
// The router's view of a request Beast parsed: the one place where a Beast
// message becomes the plain `request` that handlers see (plan/request.hpp).

#include "plan/request.hpp"
#include "wire/request_parser.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace teapot::detail {

/// Views into `msg`, which must outlive the result. The peer and loopback fields
/// are left for the caller, who knows the connection.
request view_of(const boost::beast::http::request<boost::beast::http::string_body>& msg);
/// The same, with the trailer fields the parser kept apart.
request view_of(const request_parser& parser);

}  // namespace teapot::detail

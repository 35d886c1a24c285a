#pragma once
// A request as httpbin 0.7.0 reports it (helpers.get_dict, under gunicorn): the
// fields its echo endpoints return, each computed only when asked for. The
// reference is Debian's python3-httpbin; where teapot differs, docs/httpbin.md
// says why.

#include "plan/request.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace teapot::detail::httpbin {

/// The fields of get_dict, as bits: an endpoint asks for the ones it returns.
namespace field {
enum : unsigned {
    url = 1,
    args = 2,
    form = 4,
    data = 8,
    origin = 16,
    headers = 32,
    files = 64,
    json = 128,
    method = 256,
};
}  // namespace field

/// The fields `which` (field:: bits) names, keyed as httpbin keys them.
/// Every JSON value made lives in `sp` (an answer's arena, json_arena.hpp; default: the heap).
boost::json::object echo(const request& req, const std::vector<query_param>& params, unsigned which,
                         const boost::json::storage_ptr& sp = {});

/// httpbin's "headers": names as WSGI gives them back (Title-Case, "_" as "-"), repeated
/// fields joined by ",", and the proxy fields (X-Forwarded-For, Via…) hidden unless the
/// query has show_env.
boost::json::object headers_object(const request& req, const std::vector<query_param>& params,
                                   const boost::json::storage_ptr& sp = {});

/// The client's address: X-Forwarded-For when the request has it, else the peer's address.
std::string origin_of(const request& req);

/// Flask's "<a>/<b>" in a path: one segment each, neither empty; nullopt when `rest` is not that.
std::optional<std::pair<std::string_view, std::string_view>> two_segments(std::string_view rest);

/// Flask's request.host_url without its final "/": the connection's scheme and the Host
/// ("localhost" when the request has none), what an absolute Location of httpbin starts with.
std::string host_url(const request& req);

}  // namespace teapot::detail::httpbin

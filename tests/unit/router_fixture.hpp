#pragma once
// route() without sockets: a request built by hand, a seeded random stream, and
// helpers to read the plan. Shared by the router's and the handlers' unit tests.

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"
#include "router/router.hpp"
#include "util/random_source.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace teapot::test {

using header_list = std::vector<std::pair<std::string_view, std::string_view>>;

inline detail::request make_request(std::string_view method, std::string_view target, header_list headers = {},
                                    unsigned version = 11) {
    detail::request req;
    req.method = method;
    req.target = target;
    req.version = version;
    req.headers = std::move(headers);
    return req;
}

// A route() with a seeded random stream and the default 60 s maximum delay.
struct router_fixture {
    detail::random_source random{std::uint64_t{1}};
    detail::handler_context ctx{std::chrono::seconds{60}, &random, nullptr, nullptr, {}, false, nullptr, nullptr, {}};

    detail::response_plan get(std::string_view target, header_list headers = {}, unsigned version = 11) {
        return detail::route(make_request("GET", target, std::move(headers), version), ctx);
    }
};

// The value of the first field named `name`, or "<absent>" (a string, so that Catch prints it).
inline std::string field(const detail::message_head& head, std::string_view name) {
    if (const auto* v = head.find(name)) return *v;
    return "<absent>";
}

inline bool has_field(const detail::message_head& head, std::string_view name) { return head.find(name) != nullptr; }

inline bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string::npos;
}

}  // namespace teapot::test

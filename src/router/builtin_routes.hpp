#pragma once
// The built-in endpoints as one table: a path, the methods, the handler, one line
// of what it answers. The router consults it after the scenario routes; an
// endpoint to come (httpbin's /get, /redirect/<n>…) is a row, not a branch.

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <span>
#include <string_view>
#include <vector>

namespace teapot::detail {

struct builtin_route {
    /// A handler: `rest` is what follows a prefix row's path (empty for an exact row).
    using handler = response_plan (*)(const request& req, std::string_view rest, const std::vector<query_param>& params,
                                      const handler_context& ctx);

    std::string_view path;  ///< the decoded path, whole (exact) or its start (prefix)
    bool prefix;            ///< the path starts with `path`; the rest goes to the handler
    bool read_only;         ///< GET and HEAD only: any other method gets 405 with Allow
    handler answer;
    std::string_view doc;  ///< one line: what it answers
};

/// Every built-in endpoint, the most requested first (a lookup is a scan).
std::span<const builtin_route> builtin_routes();

/// The row for `path`, or nullptr; `rest` is set to what follows a prefix row's path.
const builtin_route* find_builtin_route(std::string_view path, std::string_view& rest);

}  // namespace teapot::detail

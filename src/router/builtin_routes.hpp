#pragma once
// The built-in endpoints as one table: a path, the methods, the handler, one line
// of what it answers. The router consults it after the scenario routes; an
// endpoint to come (httpbin's /redirect/<n>…) is a row, not a branch. httpbin's
// rows may be off (--no-httpbin) or under a prefix (--httpbin-prefix).

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

    std::string_view path;     ///< the decoded path, whole (exact) or its start (prefix)
    bool prefix;               ///< the path starts with `path`; the rest goes to the handler
    std::string_view methods;  ///< the Allow list ("GET, HEAD"); another method gets 405; empty: any
    handler answer;
    std::string_view doc;  ///< one line: what it answers
    bool httpbin = false;  ///< one of httpbin's endpoints (handlers/httpbin/)
};

/// Whether `row` answers `method`.
bool allows_method(const builtin_route& row, std::string_view method) noexcept;

/// Every built-in endpoint, the most requested first (a lookup is a scan).
std::span<const builtin_route> builtin_routes();

/// The row for `path`, or nullptr; `rest` is set to what follows a prefix row's path.
/// httpbin's rows are found under `httpbin.prefix`, and not at all when they are off.
const builtin_route* find_builtin_route(std::string_view path, std::string_view& rest,
                                        const httpbin_settings& httpbin = {});

}  // namespace teapot::detail

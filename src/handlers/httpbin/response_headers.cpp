#include "handlers/httpbin/response_headers.hpp"

#include "handlers/error_plan.hpp"
#include "handlers/httpbin/json_reply.hpp"
#include "handlers/redirect_policy.hpp"
#include "util/ascii.hpp"
#include "util/field_syntax.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>

namespace teapot::detail::httpbin {
namespace {

// Flask's view of the answer's fields: each name once, as first written, with every value of
// that name (case aside): a string for one, a list for several. One pass over the fields (a
// query of 8 KiB holds 1 600 of them; comparing each with each took 20 ms).
boost::json::object fields_object(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::vector<std::pair<std::string, boost::json::array>> groups;
    std::unordered_map<std::string, std::size_t> group_of;  // the lower-case name → its place in `groups`
    for (const auto& [name, value] : fields) {
        std::string folded = name;
        std::transform(folded.begin(), folded.end(), folded.begin(),
                       [](char c) { return c >= 'A' && c <= 'Z' ? c | 0x20 : c; });
        auto [it, fresh] = group_of.try_emplace(std::move(folded), groups.size());
        if (fresh) groups.emplace_back(name, boost::json::array{});
        groups[it->second].second.emplace_back(value);
    }
    boost::json::object out;
    for (auto& [name, values] : groups)
        out[name] = values.size() == 1 ? values.front() : boost::json::value(std::move(values));
    return out;
}

}  // namespace

response_plan response_headers(const request& req, std::string_view, const std::vector<query_param>& params,
                               const handler_context& ctx) {
    for (const auto& p : params) {
        // A field that is not one, or that would frame the body another way, is never sent.
        if (!is_token(p.key) || !is_field_value(p.value))
            return error_plan(400,
                              "'" + p.key +
                                  "' cannot be a response field: a token and a value without control "
                                  "characters are",
                              &req);
        // As ?header= on /status: the fields that frame the message are teapot's, and under
        // --allowed-redirect-hosts no Location or Refresh may lead elsewhere (an open redirect).
        if (is_framing_field(p.key)) return error_plan(400, p.key + " decides framing and is set by teapot only", &req);
        if (iequals(p.key, "Location")) {
            if (auto why = redirect_refusal(p.key + "=" + p.value, p.value, ctx.allowed_redirect_hosts); !why.empty())
                return error_plan(400, why, &req);
        }
        if (iequals(p.key, "Refresh") && !ctx.allowed_redirect_hosts.empty())
            return error_plan(400, "Refresh redirects, and is refused while --allowed-redirect-hosts is set", &req);
    }
    // The body states the answer's Content-Length, which is the body's: iterate to the fixpoint
    // (two or three rounds: the length's digits change the length at most once or twice).
    // The fields are grouped once; each round changes Content-Length alone (the query may not
    // hold one: it frames the message, refused above).
    std::vector<std::pair<std::string, std::string>> fields{{"Content-Type", "application/json"},
                                                            {"Content-Length", "0"}};
    for (const auto& p : params) fields.emplace_back(p.key, p.value);
    auto listed = fields_object(fields);
    std::string length = "0";
    for (int round = 0; round < 8; ++round) {
        listed["Content-Length"] = length;
        auto plan = json_reply(req, listed);
        if (std::to_string(plan.body.size()) == length) {
            for (const auto& p : params) plan.final_head.add(p.key, p.value);
            return plan;
        }
        length = std::to_string(plan.body.size());
    }
    return error_plan(500, "the answer's length did not settle", &req);
}

}  // namespace teapot::detail::httpbin

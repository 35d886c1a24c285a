#include "handlers/httpbin/echo.hpp"

#include "handlers/error_plan.hpp"
#include "handlers/httpbin/json_arena.hpp"
#include "handlers/httpbin/json_reply.hpp"
#include "handlers/httpbin/python_args.hpp"
#include "handlers/httpbin/request_view.hpp"
#include "util/base64.hpp"
#include "util/random_source.hpp"
#include "util/utf8.hpp"

#include <boost/json/object.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>

namespace teapot::detail::httpbin {

response_plan get(const request& req, std::string_view, const std::vector<query_param>& params,
                  const handler_context&) {
    json_arena arena;
    return json_reply(req,
                      echo(req, params, field::url | field::args | field::headers | field::origin, arena.storage()));
}

response_plan body_echo(const request& req, std::string_view, const std::vector<query_param>& params,
                        const handler_context&) {
    json_arena arena;
    return json_reply(req, echo(req, params,
                                field::url | field::args | field::form | field::data | field::origin | field::headers |
                                    field::files | field::json,
                                arena.storage()));
}

response_plan anything(const request& req, std::string_view, const std::vector<query_param>& params,
                       const handler_context&) {
    json_arena arena;
    return json_reply(req, echo(req, params,
                                field::url | field::args | field::headers | field::origin | field::method |
                                    field::form | field::data | field::files | field::json,
                                arena.storage()));
}

response_plan headers(const request& req, std::string_view, const std::vector<query_param>& params,
                      const handler_context&) {
    return json_reply(req, boost::json::object{{"headers", headers_object(req, params)}});
}

response_plan ip(const request& req, std::string_view, const std::vector<query_param>&, const handler_context&) {
    return json_reply(req, boost::json::object{{"origin", origin_of(req)}});
}

response_plan user_agent(const request& req, std::string_view, const std::vector<query_param>& params,
                         const handler_context&) {
    // httpbin reads it from its own headers dict: a request without one gets null.
    auto all = headers_object(req, params);
    auto* agent = all.if_contains("User-Agent");
    return json_reply(req, boost::json::object{{"user-agent", agent ? *agent : boost::json::value{}}});
}

response_plan delay(const request& req, std::string_view seconds, const std::vector<query_param>& params,
                    const handler_context&) {
    // time.sleep refuses a negative or NaN wait, which httpbin answers with a 500.
    const auto value = python_float(seconds);
    if (!value || std::isnan(*value) || *value < 0)
        return error_plan(500, "the delay is a number of seconds, at least 0 (httpbin answers 500 here too)", &req);
    auto plan = json_reply(req, echo(req, params,
                                     field::url | field::args | field::form | field::data | field::origin |
                                         field::headers | field::files));
    // httpbin waits 10 s at most; teapot also stops at --max-delay (the router clamps every delay to it).
    const auto capped = std::min(*value, 10.0);
    plan.delay = std::chrono::milliseconds{static_cast<long long>(capped * 1000)};
    return plan;
}

std::string uuid4(const handler_context& ctx) {
    std::uint64_t high = 0, low = 0;
    if (ctx.random) {
        high = ctx.random->next_bits();
        low = ctx.random->next_bits();
    } else {
        std::random_device device;
        high = (std::uint64_t{device()} << 32) | device();
        low = (std::uint64_t{device()} << 32) | device();
    }
    // RFC 9562 §5.4: version 4 in the 13th hex digit, variant 10 in the 17th.
    high = (high & ~std::uint64_t{0xF000}) | 0x4000;
    low = (low & ~(std::uint64_t{0x3} << 62)) | (std::uint64_t{0x2} << 62);
    char text[37];
    std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(high >> 32),
                  static_cast<unsigned>((high >> 16) & 0xFFFF), static_cast<unsigned>(high & 0xFFFF),
                  static_cast<unsigned>(low >> 48), static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFull));
    return text;
}

response_plan uuid(const request& req, std::string_view, const std::vector<query_param>&, const handler_context& ctx) {
    return json_reply(req, boost::json::object{{"uuid", uuid4(ctx)}});
}

response_plan base64(const request& req, std::string_view value, const std::vector<query_param>&,
                     const handler_context&) {
    // base64url (RFC 4648 §5): its alphabet's - and _ are base64's + and /.
    std::string standard{value};
    std::replace(standard.begin(), standard.end(), '-', '+');
    std::replace(standard.begin(), standard.end(), '_', '/');
    const auto decoded = base64_decode(standard);
    if (!decoded || !is_utf8(*decoded))
        return error_plan(500, "not base64url-encoded UTF-8 text, with its padding (httpbin answers 500 here too)",
                          &req);
    response_plan plan;
    plan.final_head.status = 200;
    plan.final_head.reason = "OK";
    plan.final_head.set("Content-Type", "text/html; charset=utf-8");
    plan.body = *decoded;
    plan.omit_body = req.method == "HEAD";
    return plan;
}

}  // namespace teapot::detail::httpbin

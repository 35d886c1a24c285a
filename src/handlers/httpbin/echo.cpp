#include "handlers/httpbin/echo.hpp"

#include "handlers/httpbin/json_reply.hpp"
#include "handlers/httpbin/request_view.hpp"
#include "util/random_source.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <cstdio>
#include <random>

namespace teapot::detail::httpbin {

response_plan get(const request& req, std::string_view, const std::vector<query_param>& params,
                  const handler_context&) {
    return json_reply(req, echo(req, params, field::url | field::args | field::headers | field::origin));
}

response_plan body_echo(const request& req, std::string_view, const std::vector<query_param>& params,
                        const handler_context&) {
    return json_reply(req, echo(req, params,
                                field::url | field::args | field::form | field::data | field::origin | field::headers |
                                    field::files | field::json));
}

response_plan anything(const request& req, std::string_view, const std::vector<query_param>& params,
                       const handler_context&) {
    return json_reply(req, echo(req, params,
                                field::url | field::args | field::headers | field::origin | field::method |
                                    field::form | field::data | field::files | field::json));
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

response_plan uuid(const request& req, std::string_view, const std::vector<query_param>&, const handler_context& ctx) {
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
    return json_reply(req, boost::json::object{{"uuid", text}});
}

}  // namespace teapot::detail::httpbin

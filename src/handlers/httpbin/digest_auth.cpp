#include "handlers/httpbin/digest_auth.hpp"

#include "handlers/error_plan.hpp"
#include "handlers/httpbin/cookie_syntax.hpp"
#include "handlers/httpbin/digest_syntax.hpp"
#include "handlers/httpbin/json_reply.hpp"
#include "handlers/httpbin/python_args.hpp"
#include "util/ascii.hpp"
#include "util/hex_digest.hpp"
#include "util/random_source.hpp"

#include <teapot/catalog.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace teapot::detail::httpbin {
namespace {

struct route_params {
    std::string qop;  ///< "auth", "auth-int", or "" (any other: the challenge offers both)
    std::string user;
    std::string password;
    std::string algorithm;    ///< MD5 unless SHA-256 or SHA-512
    std::string stale_after;  ///< "never" by default
};

std::optional<route_params> route_of(std::string_view rest) {
    std::vector<std::string_view> parts;
    while (true) {
        const auto slash = rest.find('/');
        parts.push_back(rest.substr(0, slash));
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    if (parts.size() < 3 || parts.size() > 5) return std::nullopt;
    for (auto p : parts)
        if (p.empty()) return std::nullopt;  // Flask's segments are never empty
    route_params r{std::string{parts[0]}, std::string{parts[1]}, std::string{parts[2]}, "MD5", "never"};
    if (r.qop != "auth" && r.qop != "auth-int") r.qop.clear();
    if (parts.size() > 3 && (parts[3] == "SHA-256" || parts[3] == "SHA-512")) r.algorithm = std::string{parts[3]};
    if (parts.size() > 4) r.stale_after = std::string{parts[4]};
    return r;
}

// helpers.H: the digest by SHA-256 or SHA-512 when named so, MD5 for any other name.
std::string h(std::string_view algorithm, std::string_view data) {
    return *hex_digest(algorithm == "SHA-256" || algorithm == "SHA-512" ? algorithm : "MD5", data);
}

// A nonce or an opaque: as long as the algorithm's digest, from the server's random stream.
std::string random_hex(const route_params& r, const handler_context& ctx) {
    std::string seed;
    for (int i = 0; i < 4; ++i) seed += std::to_string(ctx.random ? ctx.random->next_bits() : random_source::entropy());
    return h(r.algorithm, seed);
}

std::string cookie(std::string_view name, std::string_view value) {
    return std::string{name} + "=" + quoted_cookie_value(value) + "; Path=/";
}

// digest_challenge_response: 401 with the challenge, and the cookies httpbin sets with it.
response_plan challenge(const request& req, const route_params& r, const handler_context& ctx, bool stale,
                        const std::string* last_nonce) {
    response_plan plan;
    plan.final_head.status = 401;
    plan.final_head.reason = std::string{reason_phrase(401)};
    plan.final_head.set("Content-Type", "text/html; charset=utf-8");
    plan.final_head.set("WWW-Authenticate", "Digest realm=\"me@kennethreitz.com\", nonce=\"" + random_hex(r, ctx) +
                                                "\", qop=\"" + (r.qop.empty() ? "auth, auth-int" : r.qop) +
                                                "\", opaque=\"" + random_hex(r, ctx) + "\", algorithm=" + r.algorithm +
                                                ", stale=" + (stale ? "TRUE" : "FALSE"));
    plan.final_head.add("Set-Cookie", cookie("stale_after", r.stale_after));
    if (last_nonce) plan.final_head.add("Set-Cookie", cookie("last_nonce", *last_nonce));
    plan.final_head.add("Set-Cookie", cookie("fake", "fake_value"));
    plan.omit_body = req.method == "HEAD";
    return plan;
}

// helpers.response: RFC 7616 §3.4.1 as httpbin computes it, with the client's algorithm and
// realm, the route's password, and the request's own method, path and query.
std::string expected_response(const std::map<std::string, std::string>& c, const route_params& r, const request& req) {
    auto get = [&c](const char* k) {
        auto it = c.find(k);
        return it == c.end() ? std::string{} : it->second;
    };
    const auto algorithm = get("algorithm");
    const auto qop = get("qop");
    const auto ha1 = h(algorithm, get("username") + ":" + get("realm") + ":" + r.password);
    const std::string uri{req.target.substr(0, req.target.find('#'))};
    const auto ha2 = qop == "auth-int"
                         ? h(algorithm, std::string{req.method} + ":" + uri + ":" + h(algorithm, req.body))
                         : h(algorithm, std::string{req.method} + ":" + uri);
    if (qop.empty()) return h(algorithm, ha1 + ":" + get("nonce") + ":" + ha2);
    return h(algorithm, ha1 + ":" + get("nonce") + ":" + get("nc") + ":" + get("cnonce") + ":" + qop + ":" + ha2);
}

}  // namespace

response_plan digest_auth(const request& req, std::string_view rest, const std::vector<query_param>& params,
                          const handler_context& ctx) {
    const auto route = route_of(rest);
    if (!route)
        return error_plan(404,
                          "no resource at " + std::string{req.target} +
                              ": /digest-auth/<qop>/<user>/<passwd>[/<algorithm>[/<stale_after>]]",
                          &req);
    const auto* require = first_arg(params, "require-cookie");
    const bool require_cookie =
        require && (iequals(*require, "1") || iequals(*require, "t") || iequals(*require, "true"));
    std::map<std::string, std::string> cookies;
    for (auto& [name, value] : request_cookies(req)) cookies.emplace(std::move(name), std::move(value));

    const auto credentials = parse_digest_credentials(req.header("Authorization"));
    if (!credentials || (require_cookie && !req.has_header("Cookie")))
        return challenge(req, *route, ctx, false, nullptr);
    if (require_cookie && (!cookies.contains("fake") || cookies["fake"] != "fake_value")) {
        auto plan =
            json_reply(req, boost::json::object{{"errors", boost::json::array{"missing cookie set on challenge"}}});
        plan.final_head.status = 403;
        plan.final_head.reason = std::string{reason_phrase(403)};
        plan.final_head.add("Set-Cookie", cookie("fake", "fake_value"));
        return plan;
    }
    const auto nonce = credentials->at("nonce");
    const auto stale_after = cookies.find("stale_after");
    // A nonce used before (the last_nonce cookie), or a count of uses run out: stale (RFC 7616 §3.3).
    if ((cookies.contains("last_nonce") && cookies["last_nonce"] == nonce) ||
        (stale_after != cookies.end() && stale_after->second == "0"))
        return challenge(req, *route, ctx, true, &nonce);
    if (credentials->at("response") != expected_response(*credentials, *route, req))
        return challenge(req, *route, ctx, false, &nonce);
    auto plan = json_reply(req, boost::json::object{{"authenticated", true}, {"user", route->user}});
    plan.final_head.add("Set-Cookie", cookie("fake", "fake_value"));
    if (stale_after != cookies.end() && !stale_after->second.empty()) {
        // next_stale_after_value: one use fewer, or "never" for what is not a count.
        const auto count = python_int(stale_after->second);
        plan.final_head.add("Set-Cookie", cookie("stale_after", count ? std::to_string(*count - 1) : "never"));
    }
    return plan;
}

}  // namespace teapot::detail::httpbin

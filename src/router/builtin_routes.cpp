#include "router/builtin_routes.hpp"

#include "handlers/codes_handler.hpp"
#include "handlers/error_plan.hpp"
#include "handlers/httpbin/auth.hpp"
#include "handlers/httpbin/caching.hpp"
#include "handlers/httpbin/cookies.hpp"
#include "handlers/httpbin/digest_auth.hpp"
#include "handlers/httpbin/documents.hpp"
#include "handlers/httpbin/echo.hpp"
#include "handlers/httpbin/encodings.hpp"
#include "handlers/httpbin/extras.hpp"
#include "handlers/httpbin/redirects.hpp"
#include "handlers/httpbin/response_headers.hpp"
#include "handlers/httpbin/streams.hpp"
#include "handlers/status_handler.hpp"
#include "router/index_page.hpp"

#include <teapot/catalog.hpp>

#include <array>

namespace teapot::detail {
namespace {

response_plan status(const request& req, std::string_view rest, const std::vector<query_param>& params,
                     const handler_context& ctx) {
    return handle_status(req, rest, params, ctx);
}

response_plan codes(const request& req, std::string_view rest, const std::vector<query_param>& params,
                    const handler_context&) {
    return handle_codes(req, rest, params);
}

response_plan index(const request& req, std::string_view, const std::vector<query_param>&, const handler_context& ctx) {
    return handle_index(req, ctx);
}

// OPTIONS * asks about the server, not a resource (RFC 9110 §9.3.7); the asterisk-form
// is for OPTIONS only (RFC 9112 §3.2.4).
response_plan server_options(const request& req, std::string_view, const std::vector<query_param>&,
                             const handler_context&) {
    if (req.method != "OPTIONS") {
        auto plan = error_plan(400, "the request target * is for OPTIONS only (RFC 9112 §3.2.4)", &req);
        plan.close_after = true;  // a request line that cannot be served as sent, as a malformed one
        return plan;
    }
    auto plan = no_content_plan();
    plan.final_head.set("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    return plan;
}

// Exact rows are compared whole and prefix rows by their start: a prefix row comes after
// any row whose path it starts (the unit test checks that every row is reachable).
constexpr std::string_view get_only = "GET, HEAD";
constexpr std::string_view httpbin_get = "GET, HEAD, OPTIONS";
constexpr std::string_view httpbin_any = "GET, HEAD, POST, PUT, DELETE, PATCH, TRACE, OPTIONS";
constexpr std::array routes{
    builtin_route{"/status/", true, "", status, "/status/<code>: that status with its headers and body; knobs"},
    builtin_route{"/status", false, "", status, "/status: 400 that names what is missing (a code)"},
    builtin_route{"/get", false, httpbin_get, httpbin::get, "/get: the request's url, args, headers, origin (httpbin)",
                  true},
    builtin_route{"/post", false, "POST, OPTIONS", httpbin::body_echo,
                  "/post: the request with its form, data, files and json (httpbin)", true},
    builtin_route{"/anything", false, httpbin_any, httpbin::anything,
                  "/anything: every field of the request, the method too, for any method (httpbin)", true},
    builtin_route{"/anything/", true, httpbin_any, httpbin::anything, "/anything/<path>: as /anything (httpbin)", true},
    builtin_route{"/put", false, "PUT, OPTIONS", httpbin::body_echo, "/put: as /post, for PUT (httpbin)", true},
    builtin_route{"/patch", false, "PATCH, OPTIONS", httpbin::body_echo, "/patch: as /post, for PATCH (httpbin)", true},
    builtin_route{"/delete", false, "DELETE, OPTIONS", httpbin::body_echo, "/delete: as /post, for DELETE (httpbin)",
                  true},
    builtin_route{"/headers", false, httpbin_get, httpbin::headers, "/headers: the request's header fields (httpbin)",
                  true},
    builtin_route{"/ip", false, httpbin_get, httpbin::ip, "/ip: the client's address (httpbin)", true},
    builtin_route{"/user-agent", false, httpbin_get, httpbin::user_agent, "/user-agent: the User-Agent (httpbin)",
                  true},
    builtin_route{"/uuid", false, httpbin_get, httpbin::uuid, "/uuid: a random version 4 UUID (httpbin)", true},
    builtin_route{"/redirect/", true, httpbin_get, httpbin::redirect,
                  "/redirect/<n>: 302 n times, then /get; ?absolute=true for absolute Locations (httpbin)", true},
    builtin_route{"/relative-redirect/", true, httpbin_get, httpbin::relative_redirect,
                  "/relative-redirect/<n>: 302 n times with relative Locations, then /get (httpbin)", true},
    builtin_route{"/absolute-redirect/", true, httpbin_get, httpbin::absolute_redirect,
                  "/absolute-redirect/<n>: 302 n times with absolute Locations, then /get (httpbin)", true},
    builtin_route{"/redirect-to", false, httpbin_any, httpbin::redirect_to,
                  "/redirect-to?url=&status_code=: a redirect to that URL, 302 or the 3xx given (httpbin)", true},
    builtin_route{"/cookies", false, httpbin_get, httpbin::cookies,
                  "/cookies: the cookies the request carries (httpbin)", true},
    builtin_route{"/cookies/set", false, httpbin_get, httpbin::set_cookies,
                  "/cookies/set?k=v: Set-Cookie for each, then 302 to /cookies (httpbin)", true},
    builtin_route{"/cookies/set/", true, httpbin_get, httpbin::set_cookie_path,
                  "/cookies/set/<name>/<value>: Set-Cookie, then 302 to /cookies (httpbin)", true},
    builtin_route{"/cookies/delete", false, httpbin_get, httpbin::delete_cookies,
                  "/cookies/delete?k: an expired Set-Cookie for each, then 302 to /cookies (httpbin)", true},
    builtin_route{"/basic-auth/", true, httpbin_get, httpbin::basic_auth,
                  "/basic-auth/<user>/<passwd>: 200 with those Basic credentials, else 401 and a challenge (httpbin)",
                  true},
    builtin_route{"/hidden-basic-auth/", true, httpbin_get, httpbin::hidden_basic_auth,
                  "/hidden-basic-auth/<user>/<passwd>: as /basic-auth, but 404 without a challenge (httpbin)", true},
    builtin_route{"/digest-auth/", true, httpbin_get, httpbin::digest_auth,
                  "/digest-auth/<qop>/<user>/<passwd>[/<algorithm>[/<stale_after>]]: Digest authentication (httpbin)",
                  true},
    builtin_route{"/bearer", false, httpbin_get, httpbin::bearer,
                  "/bearer: 200 with a Bearer token, else 401 and a challenge (httpbin)", true},
    builtin_route{"/delay/", true, httpbin_get, httpbin::delay,
                  "/delay/<seconds>: the request's fields after that wait (10 s at most, on a timer) (httpbin)", true},
    builtin_route{"/gzip", false, httpbin_get, httpbin::gzip,
                  "/gzip: origin, headers and method as JSON, gzip-encoded (httpbin)", true},
    builtin_route{"/deflate", false, httpbin_get, httpbin::deflate,
                  "/deflate: the same, deflate-encoded (a zlib stream, as httpbin) (httpbin)", true},
    builtin_route{"/brotli", false, httpbin_get, httpbin::brotli, "/brotli: the same, brotli-encoded (httpbin)", true},
    builtin_route{"/response-headers", false, "GET, HEAD, POST, OPTIONS", httpbin::response_headers,
                  "/response-headers?k=v: each pair a response field; the body lists the answer's fields (httpbin)",
                  true},
    builtin_route{"/base64/", true, httpbin_get, httpbin::base64,
                  "/base64/<value>: the base64url value decoded, as text (httpbin)", true},
    builtin_route{"/cache", false, httpbin_get, httpbin::cache,
                  "/cache: 304 to a conditional request, else /get with Last-Modified and ETag (httpbin)", true},
    builtin_route{"/cache/", true, httpbin_get, httpbin::cache_for,
                  "/cache/<n>: /get with Cache-Control: public, max-age=n (httpbin)", true},
    builtin_route{"/etag/", true, httpbin_get, httpbin::etag,
                  "/etag/<etag>: 304 when If-None-Match has it, 412 when If-Match lacks it, else /get (httpbin)", true},
    builtin_route{"/bytes/", true, httpbin_get, httpbin::bytes,
                  "/bytes/<n>: n random bytes (100 KiB at most), ?seed= as Python's random.seed (httpbin)", true},
    builtin_route{"/stream-bytes/", true, httpbin_get, httpbin::stream_bytes,
                  "/stream-bytes/<n>: the same bytes as /bytes/<n> (httpbin)", true},
    builtin_route{"/stream/", true, httpbin_get, httpbin::stream,
                  "/stream/<n>: n JSON lines of the request's fields and an id (100 at most) (httpbin)", true},
    builtin_route{"/range/", true, httpbin_get, httpbin::range,
                  "/range/<n>: n bytes of a-z, one Range (206, 416), ?duration= paces them (httpbin)", true},
    builtin_route{"/drip", false, httpbin_get, httpbin::drip,
                  "/drip?duration&numbytes&code&delay: bytes spread over a duration, on timers (httpbin)", true},
    builtin_route{"/robots.txt", false, httpbin_get, httpbin::robots_txt, "/robots.txt: httpbin's (httpbin)", true},
    builtin_route{"/deny", false, httpbin_get, httpbin::deny, "/deny: the page robots.txt denies (httpbin)", true},
    builtin_route{"/forms/post", false, httpbin_get, httpbin::forms_post,
                  "/forms/post: an HTML form (firstname, lastname) that posts to /post (httpbin)", true},
    builtin_route{"/html", false, httpbin_get, httpbin::html, "/html: an HTML page, a passage of Moby-Dick (httpbin)",
                  true},
    builtin_route{"/json", false, httpbin_get, httpbin::json, "/json: a JSON document, a slide show (httpbin)", true},
    builtin_route{"/xml", false, httpbin_get, httpbin::xml, "/xml: an XML document, the same slide show (httpbin)",
                  true},
    builtin_route{"/encoding/utf8", false, httpbin_get, httpbin::utf8_page,
                  "/encoding/utf8: an HTML page of UTF-8 text, characters of 1 to 4 bytes (httpbin)", true},
    builtin_route{"/image", false, httpbin_get, httpbin::image,
                  "/image: the image Accept prefers (webp, svg, jpeg, png), else 406 (httpbin)", true},
    builtin_route{"/image/", true, httpbin_get, httpbin::image_of_kind,
                  "/image/<png|jpeg|webp|svg>: a small image of teapot's own (httpbin)", true},
    builtin_route{"/sse", false, httpbin_get, httpbin::sse,
                  "/sse?count&duration&delay: server-sent events, paced on timers (go-httpbin)", true},
    builtin_route{"/upload", false, "GET, HEAD, POST, OPTIONS", httpbin::upload,
                  "/upload: a file form; POSTed, the files and fields as /post reads them", true},
    builtin_route{"/jsonl", false, httpbin_get, httpbin::jsonl,
                  "/jsonl?count&duration&delay: /sse's messages as JSON lines, paced on timers", true},
    builtin_route{"/trailers", false, httpbin_get, httpbin::trailers,
                  "/trailers?k=v: each pair a trailer field after the chunked body (go-httpbin)", true},
    builtin_route{"/unstable", false, httpbin_any, httpbin::unstable,
                  "/unstable?failure_rate&seed: 500 at that rate (0.5), else 200 (go-httpbin)", true},
    builtin_route{"/dump/request", false, httpbin_any, httpbin::dump_request,
                  "/dump/request: the request as it came, its fields in their order and case (go-httpbin)", true},
    builtin_route{"/hostname", false, httpbin_get, httpbin::hostname,
                  "/hostname: the server's name, with --httpbin-real-hostname (go-httpbin)", true},
    builtin_route{"/websocket/echo", false, "GET, OPTIONS", httpbin::websocket_echo,
                  "/websocket/echo: a WebSocket that echoes each message (go-httpbin)", true},
    builtin_route{"/links/", true, httpbin_get, httpbin::links,
                  "/links/<n>[/<offset>]: a page of n links to its siblings (200 at most) (httpbin)", true},
    builtin_route{"/codes/", true, get_only, codes, "/codes/<code>: one code of the catalogue as JSON; /codes/: all"},
    builtin_route{"/codes", false, get_only, codes, "/codes: the status catalogue as JSON"},
    builtin_route{"/", false, get_only, index, "/: the page for a person: endpoints, knobs, scenarios, codes"},
    builtin_route{"*", false, "", server_options, "OPTIONS *: the methods the server allows (204)"},
};

bool matches(const builtin_route& r, std::string_view path) {
    return r.prefix ? path.starts_with(r.path) : path == r.path;
}

}  // namespace

std::span<const builtin_route> builtin_routes() { return routes; }

bool allows_method(const builtin_route& row, std::string_view method) noexcept {
    if (row.methods.empty()) return true;
    // A list of tokens separated by ", ": a method is one when it is bounded by the list's edges or commas.
    for (auto at = row.methods.find(method); at != std::string_view::npos; at = row.methods.find(method, at + 1)) {
        const auto end = at + method.size();
        if ((at == 0 || row.methods[at - 1] == ' ') && (end == row.methods.size() || row.methods[end] == ','))
            return true;
    }
    return false;
}

const builtin_route* find_builtin_route(std::string_view path, std::string_view& rest,
                                        const httpbin_settings& httpbin) {
    // Under --httpbin-prefix, httpbin's rows see the path past the prefix, and only such paths.
    const bool under_prefix = !httpbin.prefix.empty() && path.starts_with(httpbin.prefix) &&
                              path.substr(httpbin.prefix.size()).starts_with('/');
    const auto httpbin_path = httpbin.prefix.empty() ? path : under_prefix ? path.substr(httpbin.prefix.size()) : "";
    for (const auto& r : routes) {
        if (r.httpbin && (!httpbin.enabled || httpbin_path.empty())) continue;
        const auto candidate = r.httpbin ? httpbin_path : path;
        if (matches(r, candidate)) {
            rest = r.prefix ? candidate.substr(r.path.size()) : std::string_view{};
            return &r;
        }
    }
    return nullptr;
}

}  // namespace teapot::detail

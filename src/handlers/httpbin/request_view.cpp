#include "handlers/httpbin/request_view.hpp"

#include "handlers/httpbin/multipart.hpp"

#include "util/base64.hpp"
#include "util/utf8.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <string_view>

namespace teapot::detail::httpbin {
namespace {

// helpers.ENV_HEADERS: what a proxy in front of httpbin.org adds, hidden unless ?show_env.
constexpr std::array<std::string_view, 15> env_headers{"X-Varnish",
                                                       "X-Request-Start",
                                                       "X-Heroku-Queue-Depth",
                                                       "X-Real-Ip",
                                                       "X-Forwarded-Proto",
                                                       "X-Forwarded-Protocol",
                                                       "X-Forwarded-Ssl",
                                                       "X-Heroku-Queue-Wait-Time",
                                                       "X-Forwarded-For",
                                                       "X-Heroku-Dynos-In-Use",
                                                       "X-Forwarded-Port",
                                                       "X-Request-Id",
                                                       "Via",
                                                       "Total-Route-Time",
                                                       "Connect-Time"};

bool is_letter(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// WSGI's round trip of a field name (HTTP_X_B3_ID back to a name, then Python's str.title()):
// "_" becomes "-", a letter after a non-letter is upper case, every other letter lower case.
std::string wsgi_name(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    bool after_letter = false;
    for (char c : name) {
        if (c == '_') c = '-';
        if (is_letter(c)) c = after_letter ? static_cast<char>(c | 0x20) : static_cast<char>(c & ~0x20);
        after_letter = is_letter(c);
        out.push_back(c);
    }
    return out;
}

// WSGI's environ: one value per name, repeated fields joined by "," (gunicorn), sorted.
std::map<std::string, std::string> wsgi_headers(const request& req) {
    std::map<std::string, std::string> out;
    for (const auto& [name, value] : req.headers) {
        auto [it, fresh] = out.try_emplace(wsgi_name(name), value);
        if (!fresh) it->second.append(",").append(value);
    }
    return out;
}

// Python's str of request bytes: UTF-8, with U+FFFD for what is not (the JSON writer
// escapes every non-ASCII character either way).
boost::json::string text(std::string_view bytes, const boost::json::storage_ptr& sp) {
    return is_utf8(bytes) ? boost::json::string{bytes, sp} : boost::json::string{repaired_utf8(bytes), sp};
}

// semiflatten: one value a string, several a list, in the order sent.
boost::json::object semiflatten(const std::vector<query_param>& pairs, const boost::json::storage_ptr& sp) {
    boost::json::object out(sp);
    for (const auto& p : pairs) {
        auto* existing = out.if_contains(p.key);
        if (!existing) {
            out[p.key] = text(p.value, sp);
        } else if (existing->is_array()) {
            existing->get_array().push_back(text(p.value, sp));
        } else {
            boost::json::array both(sp);
            both.push_back(std::move(*existing));
            both.push_back(text(p.value, sp));
            *existing = std::move(both);
        }
    }
    return out;
}

// The media type of Content-Type, lower case, without its parameters.
std::string media_type(const request& req) {
    auto type = req.header("Content-Type");
    type = type.substr(0, type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    std::string out{type};
    std::transform(out.begin(), out.end(), out.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? c | 0x20 : c; });
    return out;
}

bool is_form(const std::string& type) {
    return type == "application/x-www-form-urlencoded" || type == "multipart/form-data";
}

// An urlencoded body's pairs ('+' as space), by Boost.URL; none when it is not a valid query.
// Parsed as the query of "/?BODY": Boost.URL 1.81's parse_query (and the params_view made from
// a string) measures its input with strlen, reading past a view's end (found by fuzz/httpbin.cpp).
std::vector<query_param> form_pairs(std::string_view body) {
    std::vector<query_param> pairs;
    const std::string target = "/?" + std::string{body};
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) return pairs;
    for (auto p : parsed->params()) {
        if (p.key.empty() && !p.has_value) continue;
        pairs.push_back({p.key, p.has_value ? p.value : std::string{}});
    }
    return pairs;
}

// helpers.json_safe: bytes as text when they are UTF-8, else an RFC 2397 data URL of `type`.
boost::json::string data_url_or_text(std::string_view bytes, std::string_view type,
                                     const boost::json::storage_ptr& sp) {
    if (is_utf8(bytes)) return boost::json::string{bytes, sp};
    return boost::json::string{"data:" + std::string{type} + ";base64," + base64_encode(bytes), sp};
}

boost::json::string json_safe(std::string_view bytes, const boost::json::storage_ptr& sp) {
    return data_url_or_text(bytes, "application/octet-stream", sp);
}

// The body parsed as JSON whatever the Content-Type says, null when it is not JSON. Nesting is
// bounded (Boost.JSON's default is 32; Python's recursion limit stops near 1 000): docs/httpbin.md.
boost::json::value body_json(std::string_view body, const boost::json::storage_ptr& sp) {
    if (body.empty()) return boost::json::value(sp);
    boost::json::parse_options options;
    options.max_depth = 256;
    boost::system::error_code ec;
    auto value = boost::json::parse(body, ec, sp, options);
    return ec ? boost::json::value(sp) : value;
}

std::string host_of(const request& req) {
    auto host = req.header("Host");
    return std::string{host.empty() ? std::string_view{"localhost"} : host};
}

std::string url_of(const request& req) {
    // helpers.get_url: a proxy's X-Forwarded-Proto (or -Protocol, or -Ssl: on) names the scheme.
    std::string scheme{req.header("X-Forwarded-Proto")};
    if (scheme.empty()) scheme = req.header("X-Forwarded-Protocol");
    if (scheme.empty() && req.header("X-Forwarded-Ssl") == "on") scheme = "https";
    if (scheme.empty()) scheme = req.tls ? "https" : "http";
    return scheme + "://" + host_of(req) + std::string{req.target};
}

}  // namespace

std::optional<std::pair<std::string_view, std::string_view>> two_segments(std::string_view rest) {
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == rest.size() ||
        rest.find('/', slash + 1) != std::string_view::npos)
        return std::nullopt;
    return std::pair{rest.substr(0, slash), rest.substr(slash + 1)};
}

std::string host_url(const request& req) { return (req.tls ? "https://" : "http://") + host_of(req); }

std::string origin_of(const request& req) {
    const auto headers = wsgi_headers(req);
    if (auto it = headers.find("X-Forwarded-For"); it != headers.end()) return it->second;
    // "address:port" or "[v6]:port": the address alone.
    std::string_view peer = req.peer.substr(0, req.peer.rfind(':'));
    if (peer.starts_with('[') && peer.ends_with(']')) peer = peer.substr(1, peer.size() - 2);
    return std::string{peer};
}

boost::json::object headers_object(const request& req, const std::vector<query_param>& params,
                                   const boost::json::storage_ptr& sp) {
    auto headers = wsgi_headers(req);
    const bool show_env = std::any_of(params.begin(), params.end(), [](auto& p) { return p.key == "show_env"; });
    if (!show_env)
        for (auto name : env_headers) headers.erase(std::string{name});
    boost::json::object out(sp);
    for (const auto& [name, value] : headers) out[name] = text(value, sp);
    return out;
}

boost::json::object echo(const request& req, const std::vector<query_param>& params, unsigned which,
                         const boost::json::storage_ptr& sp) {
    boost::json::object out(sp);
    const auto type = media_type(req);
    // Werkzeug reads a form's body into form (and files), and leaves data empty.
    const std::string_view data_bytes = is_form(type) ? std::string_view{} : req.body;
    // multipart/form-data: fields to form, parts with a filename to files (Werkzeug's MultiDict
    // gives httpbin the first file of a name only). A body Werkzeug cannot read leaves both empty.
    std::vector<query_param> fields;
    boost::json::object files(sp);
    if (type == "multipart/form-data" && (which & (field::form | field::files))) {
        const auto boundary = form_boundary(req.header("Content-Type"));
        const auto parts = boundary ? parse_form_data(req.body, *boundary) : std::nullopt;
        for (const auto& part : parts ? *parts : std::vector<form_part>{}) {
            if (!part.filename) {
                fields.push_back({part.name, std::string{part.content}});
            } else if (!files.contains(part.name)) {
                files[part.name] = data_url_or_text(
                    part.content, part.content_type.empty() ? "application/octet-stream" : part.content_type, sp);
            }
        }
    } else if (type == "application/x-www-form-urlencoded" && (which & field::form)) {
        fields = form_pairs(req.body);
    }
    if (which & field::url) out["url"] = text(url_of(req), sp);
    if (which & field::args) out["args"] = semiflatten(params, sp);
    if (which & field::form) out["form"] = semiflatten(fields, sp);
    if (which & field::data) out["data"] = json_safe(data_bytes, sp);
    if (which & field::origin) out["origin"] = origin_of(req);
    if (which & field::headers) out["headers"] = headers_object(req, params, sp);
    if (which & field::files) out["files"] = std::move(files);
    if (which & field::json) out["json"] = body_json(data_bytes, sp);
    if (which & field::method) out["method"] = req.method;
    return out;
}

}  // namespace teapot::detail::httpbin

#include "wire/h2c_upgrade.hpp"

#include "util/ascii.hpp"
#include "util/base64.hpp"
#include "util/field_syntax.hpp"

namespace teapot::detail {

std::optional<std::string> h2c_upgrade_settings(const request& req) {
    if (req.version != 11 || !list_has_token(req.header("Upgrade"), "h2c")) return std::nullopt;
    const auto connection = req.header("Connection");
    if (!list_has_token(connection, "Upgrade") || !list_has_token(connection, "HTTP2-Settings")) return std::nullopt;
    std::optional<std::string_view> encoded;
    for (const auto& [name, value] : req.headers) {
        if (!iequals(name, "HTTP2-Settings")) continue;
        if (encoded) return std::nullopt;  // RFC 7540 §3.2.1: exactly one
        encoded = value;
    }
    if (!encoded) return std::nullopt;
    // base64url without padding (RFC 4648 §5), as base64 with it.
    std::string text{*encoded};
    for (auto& c : text) c = c == '-' ? '+' : c == '_' ? '/' : c;
    text.append((4 - text.size() % 4) % 4, '=');
    auto settings = base64_decode(text);
    if (!settings || settings->size() % 6 != 0) return std::nullopt;  // SETTINGS entries are 6 bytes each
    return settings;
}

std::shared_ptr<h2_stream> stream_of_http1(const request& req, body_budget* bodies) {
    auto s = std::make_shared<h2_stream>(1, bodies);
    s->method = req.method;
    s->path = req.target;
    s->scheme = "http";
    s->authority = req.header("Host");
    for (const auto& [name, value] : req.headers) {
        if (is_connection_specific_field(name) || iequals(name, "Host") || iequals(name, "HTTP2-Settings")) continue;
        s->fields.emplace_back(ascii_lower(name), value);
    }
    s->body = req.body;
    s->charge.cover(s->body.size());  // held in memory as the HTTP/1 connection held it
    s->request_complete = true;
    return s;
}

}  // namespace teapot::detail

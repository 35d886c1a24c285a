#include "handlers/httpbin/digest_syntax.hpp"

#include "handlers/httpbin/python_args.hpp"
#include "util/ascii.hpp"

#include <vector>

namespace teapot::detail::httpbin {
namespace {

// urllib's parse_http_list: items separated by commas outside quoted strings; inside one, a
// backslash keeps the byte after it (and is dropped); items trimmed.
std::vector<std::string> list_items(std::string_view s) {
    std::vector<std::string> items;
    std::string part;
    bool quote = false, escape = false;
    for (char c : s) {
        if (escape) {
            part.push_back(c);
            escape = false;
        } else if (quote) {
            if (c == '\\') {
                escape = true;
                continue;
            }
            if (c == '"') quote = false;
            part.push_back(c);
        } else if (c == ',') {
            items.emplace_back(python_strip(part));
            part.clear();
        } else {
            if (c == '"') quote = true;
            part.push_back(c);
        }
    }
    if (!part.empty()) items.emplace_back(python_strip(part));
    return items;
}

}  // namespace

std::optional<std::map<std::string, std::string>> parse_digest_credentials(std::string_view field) {
    // "Digest" and the rest, split at the first run of blanks (str.split(None, 1)).
    field = python_strip(field);
    std::size_t space = 0;
    while (space < field.size() && !is_python_blank(field[space])) ++space;
    if (space == field.size() || !iequals(field.substr(0, space), "Digest")) return std::nullopt;
    std::map<std::string, std::string> params;
    for (const auto& item : list_items(python_strip(field.substr(space)))) {
        const auto eq = item.find('=');
        if (eq == std::string::npos) {
            params[item] = std::string{};  // Werkzeug's None: present, no value (read as absent below)
            continue;
        }
        std::string value = item.substr(eq + 1);
        // One level of quotes goes (unquote_header_value on what is inside leaves it as it is).
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        params[item.substr(0, eq)] = value;
    }
    for (const char* required : {"username", "realm", "nonce", "uri", "response"})
        if (!params.contains(required)) return std::nullopt;
    if (params.contains("qop") && (params["nc"].empty() || params["cnonce"].empty())) return std::nullopt;
    return params;
}

}  // namespace teapot::detail::httpbin

#include "scenario/session_key.hpp"

#include "scenario/matcher.hpp"
#include "scenario/model.hpp"
#include "util/field_syntax.hpp"

namespace teapot::detail::scenario {
namespace {

// RFC 6265 §4.2.1: Cookie: name=value; name2=value2 (a value may be quoted).
std::string_view cookie_value(const request& req, std::string_view name) {
    for (const auto& [field, value] : req.headers) {
        if (!iequals(field, "Cookie")) continue;
        std::string_view list = value;
        while (!list.empty()) {
            auto semi = list.find(';');
            auto pair = trim_ows(list.substr(0, semi));
            auto eq = pair.find('=');
            if (eq != std::string_view::npos && trim_ows(pair.substr(0, eq)) == name) {
                auto v = trim_ows(pair.substr(eq + 1));
                if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
                return v;
            }
            if (semi == std::string_view::npos) break;
            list.remove_prefix(semi + 1);
        }
    }
    return {};
}

}  // namespace

std::string session_key(const isolation& iso, const match_subject& s) {
    switch (iso.by) {
        case isolation::kind::global: return {};
        case isolation::kind::header: return stored_session_key(s.req().header(iso.name));
        case isolation::kind::query: {
            const auto* v = s.query_value(iso.name);
            return v ? stored_session_key(*v) : std::string{};
        }
        case isolation::kind::cookie: return stored_session_key(cookie_value(s.req(), iso.name));
    }
    return {};
}

}  // namespace teapot::detail::scenario

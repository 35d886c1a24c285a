#include "handlers/status_body.hpp"

#include <unordered_map>

#include <teapot/catalog.hpp>

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace teapot::detail {
namespace {

std::string_view description(int code, language lang) {
    if (const auto* e = find_status(code)) return lang == language::fr ? e->description_fr : e->description_en;
    return lang == language::fr ? "Code absent du catalogue ; un client le traite comme le x00 de sa classe"
                                : "A code the catalogue does not list; a client treats it as the x00 of its class.";
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

boost::json::object status_json(int code, language lang) {
    const auto* category = category_of(code);
    const auto* entry = find_status(code);
    boost::json::object o;
    o["code"] = code;
    o["name"] = reason_phrase(code);
    o["class"] = category->label;
    o["category"] = lang == language::fr ? category->name_fr : category->name_en;
    o["description"] = description(code, lang);
    o["reference"] = entry ? entry->reference : "";
    return o;
}

response_body cached_status_body(int code, media_type media, language lang) {
    // Per thread: no lock on the hot path; at most 500 codes × 4 media × 2 languages each.
    thread_local std::unordered_map<int, std::shared_ptr<const std::string>> cache;
    const int key = (code * 8) + (static_cast<int>(media) * 2) + static_cast<int>(lang);
    auto [it, fresh] = cache.try_emplace(key);
    if (fresh) it->second = std::make_shared<const std::string>(render_status_body(code, media, lang, {}));
    return response_body{it->second};
}

std::string render_status_body(int code, media_type media, language lang, const body_links& links) {
    auto name = reason_phrase(code);
    auto text = description(code, lang);
    bool fr = lang == language::fr;

    switch (media) {
        case media_type::json:
        case media_type::problem_json: {
            auto o = status_json(code, lang);
            if (media == media_type::problem_json) {
                // RFC 9457 §3.1 members; the catalogue keys stay as extension members.
                o["type"] = "about:blank";
                o["title"] = name;
                o["status"] = code;
                o["detail"] = text;
            }
            if (!links.choices.empty()) {
                boost::json::array choices;
                for (const auto& c : links.choices) choices.emplace_back(c);
                o["choices"] = std::move(choices);
            }
            if (!links.login.empty()) o["login"] = links.login;
            return boost::json::serialize(o) + "\n";
        }
        case media_type::html: {
            std::string title = std::to_string(code) + " " + html_escape(name);
            std::string out = "<!DOCTYPE html>\n<html lang=\"" + std::string{fr ? "fr" : "en"} +
                              "\">\n<head><meta charset=\"utf-8\"><title>" + title + "</title></head>\n<body>\n<h1>" +
                              title + "</h1>\n<p>" + html_escape(text) + "</p>\n";
            if (!links.choices.empty()) {
                out += "<ul>\n";
                for (const auto& c : links.choices)
                    out += "<li><a href=\"" + html_escape(c) + "\">" + html_escape(c) + "</a></li>\n";
                out += "</ul>\n";
            }
            if (!links.login.empty())
                out += "<p><a href=\"" + html_escape(links.login) + "\">" + (fr ? "Se connecter" : "Log in") +
                       "</a></p>\n";
            return out + "</body>\n</html>\n";
        }
        case media_type::text: break;
    }
    std::string out = std::to_string(code) + " " + std::string{name} + "\n" + std::string{text} + "\n";
    for (const auto& c : links.choices) out += "- " + c + "\n";
    if (!links.login.empty()) out += (fr ? "Se connecter : " : "Log in at ") + links.login + "\n";
    return out;
}

}  // namespace teapot::detail

#include "handlers/status_knobs.hpp"

#include "faults/fault_syntax.hpp"
#include "handlers/redirect_policy.hpp"
#include "handlers/status_spec.hpp"
#include "plan/request.hpp"
#include "util/duration.hpp"
#include "util/edit_distance.hpp"
#include "util/field_syntax.hpp"
#include "util/http_date.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace teapot::detail {
namespace {

// Every /status knob, in the order the docs give them.
constexpr std::array<std::string_view, 11> knob_names{
    "final", "location", "retry_after", "delay", "header", "body", "content_type", "reason", "lang", "fault", "stream"};

std::string valid_knobs() {
    std::string out;
    for (auto knob : knob_names) out.append(out.empty() ? "" : ", ").append(knob);
    return out;
}

bool set_error(std::string& error, std::string message) {
    error = std::move(message);
    return false;
}

bool refuse_redirect(std::string& error, const std::string& knob, std::span<const std::string> allowed) {
    return set_error(error, refused_redirect_message(knob, allowed));
}

bool parse_one(status_knobs& k, const query_param& p, const knob_limits& limits, std::string& error) {
    const auto max_delay = limits.max_delay;
    const auto& key = p.key;
    const auto& v = p.value;
    if (key == "final") {
        auto code = parse_status_code(v);
        if (!code || *code < 200)
            return set_error(error, "invalid final='" + v + "': the final status is a code from 200 to 599");
        k.final_code = code;
    } else if (key == "location") {
        auto u = boost::urls::parse_uri_reference(v);
        if (v.empty() || !is_field_value(v) || !u)
            return set_error(error, "invalid location='" + v + "': expected a URI reference such as /status/200");
        if (!redirect_allowed(*u, limits.redirect_hosts))
            return refuse_redirect(error, "location=" + v, limits.redirect_hosts);
        k.location = v;
    } else if (key == "retry_after") {
        bool seconds = !v.empty() && v.size() <= 10 &&
                       std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!seconds && !is_imf_fixdate(v))
            return set_error(error, "invalid retry_after='" + v +
                                        "': expected delay-seconds (e.g. 120) or an HTTP-date "
                                        "(e.g. Sun, 06 Nov 1994 08:49:37 GMT)");
        k.retry_after = v;
    } else if (key == "delay") {
        std::string why;
        auto spec = parse_delay_knob(v, why);
        if (!spec) return set_error(error, "invalid delay='" + v + "': " + why);
        if (spec->upper_bound() > max_delay)
            return set_error(
                error, "delay=" + v + " exceeds the maximum delay of " + format_duration(max_delay) + " (--max-delay)");
        if (spec->random())
            k.random_delay = *spec;
        else
            k.delay = spec->value;
    } else if (key == "fault") {
        std::string why;
        // A '+' in a query decodes to a space (form encoding): "wrong_length:+100" arrives as "wrong_length: 100".
        std::string text = v;
        if (text.starts_with("wrong_length: ")) text[13] = '+';
        auto f = parse_fault_knob(text, why);
        if (!f) return set_error(error, "invalid fault='" + v + "': " + why);
        if ((f->hang_for && *f->hang_for > max_delay) || (f->pace.every > max_delay))
            return set_error(error, "fault=" + v + " waits longer than the maximum delay of " +
                                        format_duration(max_delay) + " (--max-delay)");
        k.fault = *f;
    } else if (key == "stream") {
        std::string why;
        auto pace = parse_pacing(v, why);
        if (!pace) return set_error(error, "invalid stream='" + v + "': " + why);
        if (pace->every > max_delay)
            return set_error(error, "stream=" + v + " waits longer than the maximum delay of " +
                                        format_duration(max_delay) + " (--max-delay)");
        k.stream = *pace;
    } else if (key == "header") {
        auto colon = v.find(':');
        std::string name = v.substr(0, colon);
        std::string value = colon == std::string::npos ? std::string{} : v.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        if (colon == std::string::npos || !is_token(name))
            return set_error(error, "invalid header='" + v + "': expected Name:Value with a token as the name");
        if (!is_field_value(value))
            return set_error(
                error, "invalid header value for " + name + ": control characters such as CR or LF are not allowed");
        if (is_framing_field(name))
            return set_error(error, "header " + name + " decides framing and is set by teapot only");
        // A Location set this way redirects as ?location= does; Refresh ("0; url=...") too.
        if (!limits.redirect_hosts.empty() && iequals(name, "Location")) {
            auto u = boost::urls::parse_uri_reference(value);
            if (!u || !redirect_allowed(*u, limits.redirect_hosts))
                return refuse_redirect(error, "header=Location:" + value, limits.redirect_hosts);
        }
        if (!limits.redirect_hosts.empty() && iequals(name, "Refresh"))
            return set_error(error, "header Refresh redirects, and is refused while --allowed-redirect-hosts is set");
        k.headers.push_back({std::move(name), std::move(value)});
    } else if (key == "body") {
        k.body = v;
    } else if (key == "content_type") {
        auto semi = v.find(';');
        auto type = std::string_view{v}.substr(0, semi);
        auto slash = type.find('/');
        if (slash == std::string_view::npos || !is_token(type.substr(0, slash)) || !is_token(type.substr(slash + 1)) ||
            !is_field_value(v))
            return set_error(error, "invalid content_type='" + v + "': expected a media type such as text/plain");
        k.content_type = v;
    } else if (key == "reason") {
        if (!is_reason_phrase(v))
            return set_error(error,
                             "invalid reason: a reason phrase is visible characters and spaces, without CR or LF");
        k.reason = v;
    } else if (key == "lang") {
        if (v == "en")
            k.lang = language::en;
        else if (v == "fr")
            k.lang = language::fr;
        else
            return set_error(error, "invalid lang='" + v + "': expected en or fr");
    } else if (limits.strict) {
        const auto knob = nearest_knob(key);
        return set_error(error, "unknown knob '" + key + "'" + (knob.empty() ? "" : " (did you mean " + knob + "?)") +
                                    ": valid knobs: " + valid_knobs());
    } else if (std::find(k.ignored.begin(), k.ignored.end(), key) != k.ignored.end()) {
        // named already
    } else if (k.ignored.size() < max_named_ignored) {
        k.ignored.push_back(key);
    } else {
        ++k.ignored_unnamed;
    }
    return true;
}

}  // namespace

std::string nearest_knob(std::string_view name) {
    if (name.size() > 16) return {};
    std::string_view best;
    std::size_t best_distance = 3;  // at most 2 edits: "dealy", "retry-after", "Delay"
    for (auto knob : knob_names)
        if (auto d = edit_distance(name, knob); d < best_distance) {
            best = knob;
            best_distance = d;
        }
    return std::string{best};
}

std::string ignored_params_field(const std::vector<std::string>& names, std::size_t unnamed) {
    std::string out;
    for (const auto& name : names) {
        if (!out.empty()) out += ", ";
        // A name is the client's bytes: what is not a token character is percent-encoded.
        for (char c : name) {
            if (is_token(std::string_view{&c, 1})) {
                out += c;
            } else {
                static constexpr char hex[] = "0123456789ABCDEF";
                out += '%';
                out += hex[static_cast<unsigned char>(c) >> 4];
                out += hex[static_cast<unsigned char>(c) & 0xf];
            }
        }
        if (auto knob = nearest_knob(name); !knob.empty()) out += " (did you mean " + knob + "?)";
    }
    if (unnamed > 0) out += ", and " + std::to_string(unnamed) + " more";
    return out;
}

std::optional<status_knobs> parse_status_knobs(const std::vector<query_param>& params, const knob_limits& limits,
                                               std::string& error) {
    status_knobs knobs;
    for (const auto& p : params)
        if (!parse_one(knobs, p, limits, error)) return std::nullopt;
    return knobs;
}

std::optional<status_knobs> parse_status_knobs(const std::vector<query_param>& params,
                                               std::chrono::milliseconds max_delay, std::string& error) {
    return parse_status_knobs(params, knob_limits{max_delay, {}}, error);
}

}  // namespace teapot::detail

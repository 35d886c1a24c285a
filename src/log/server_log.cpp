#include "log/server_log.hpp"

#include <teapot/version.hpp>

#include <spdlog/logger.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>

namespace teapot::detail {
namespace {

std::string event_json(std::string_view message) {
    boost::json::object o{{"msg", message}};
    return boost::json::serialize(o);
}

// `o` serialized with one more member, a number written in plain decimals with 3 places:
// Boost.JSON writes every double in exponent form (4.5E-1), which people read badly.
std::string with_decimal(const boost::json::object& o, std::string_view key, double value) {
    auto text = boost::json::serialize(o);
    char number[48];
    std::snprintf(number, sizeof number, "%.3f", value);
    text.pop_back();  // the closing brace
    return text.append(o.empty() ? "" : ",")
        .append(boost::json::serialize(boost::json::string{key}))
        .append(":")
        .append(number)
        .append("}");
}

}  // namespace

server_log::server_log(std::shared_ptr<spdlog::logger> logger, log_format format)
    : logger_(std::move(logger)), format_(format) {}

bool server_log::writes_access() const { return logger_ && logger_->should_log(spdlog::level::info); }

bool server_log::writes_debug() const { return logger_ && logger_->should_log(spdlog::level::debug); }

void server_log::access(const access_entry& e) const {
    if (!writes_access()) return;
    if (format_ == log_format::json) {
        boost::json::object o{{"msg", "access"},    {"conn", e.connection}, {"method", e.method}, {"target", e.target},
                              {"status", e.status}, {"bytes", e.bytes},     {"peer", e.peer}};
        if (!e.fault.empty()) o["fault"] = e.fault;
        logger_->info(with_decimal(o, "duration_ms", e.duration_ms));
        return;
    }
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.3fms", e.duration_ms);
    logger_->info("[conn {}] {} \"{} {}\" {} {}B {}{}{}", e.connection, e.peer, e.method, e.target, e.status, e.bytes,
                  duration, e.fault.empty() ? "" : " fault=", e.fault);
}

void server_log::started(std::string_view url, std::string_view tls_url, std::uint64_t seed,
                         const std::vector<std::string>& scenarios) const {
    if (!logger_) return;
    // The seed as a string in JSON: JavaScript's numbers lose integers above 2^53.
    const auto seed_text = std::to_string(seed);
    if (format_ == log_format::json) {
        boost::json::array names;
        for (const auto& name : scenarios) names.emplace_back(name);
        boost::json::object o{{"msg", "started"},     {"url", url},        {"admin", std::string{url} + "/__teapot/"},
                              {"version", version()}, {"seed", seed_text}, {"scenarios", std::move(names)}};
        if (!tls_url.empty()) o["tls_url"] = tls_url;
        logger_->info(boost::json::serialize(o));
        return;
    }
    // A long list is cut: GET /__teapot/scenarios has them all.
    constexpr std::size_t named = 20;
    std::string list;
    for (std::size_t i = 0; i < scenarios.size() && i < named; ++i) list.append(i ? ", " : ": ").append(scenarios[i]);
    if (scenarios.size() > named) list += ", and " + std::to_string(scenarios.size() - named) + " more";
    const auto https = tls_url.empty() || tls_url == url ? std::string{}
                                                         : "; HTTPS on " + std::string{tls_url} +
                                                               "/ (its CA: " + std::string{url} + "/__teapot/ca.pem)";
    logger_->info(
        "teapot {} serving {}/ (that page says what it does){}; {} scenario{}{}; admin API {}/__teapot/; "
        "seed {} (--seed {} replays this run's random draws)",
        version(), url, https, scenarios.size(), scenarios.size() == 1 ? "" : "s", list, url, seed_text, seed_text);
}

void server_log::info(std::string_view message) const {
    if (!logger_) return;
    if (format_ == log_format::json)
        logger_->info(event_json(message));
    else
        logger_->info(message);
}

void server_log::warn(std::string_view message) const {
    if (!logger_) return;
    if (format_ == log_format::json)
        logger_->warn(event_json(message));
    else
        logger_->warn(message);
}

void server_log::connection_event(std::uint64_t connection, std::string_view peer, std::string_view message) const {
    if (!writes_debug()) return;
    if (format_ == log_format::json) {
        boost::json::object o{{"msg", message}, {"conn", connection}, {"peer", peer}};
        logger_->debug(boost::json::serialize(o));
    } else {
        logger_->debug("[conn {}] {} {}", connection, peer, message);
    }
}

}  // namespace teapot::detail

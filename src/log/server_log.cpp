#include "log/server_log.hpp"

#include <spdlog/logger.h>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>

namespace teapot::detail {
namespace {

std::string event_json(std::string_view message) {
    boost::json::object o{{"msg", message}};
    return boost::json::serialize(o);
}

}  // namespace

server_log::server_log(std::shared_ptr<spdlog::logger> logger, log_format format)
    : logger_(std::move(logger)), format_(format) {}

bool server_log::writes_access() const { return logger_ && logger_->should_log(spdlog::level::info); }

void server_log::access(const access_entry& e) const {
    if (!writes_access()) return;
    if (format_ == log_format::json) {
        boost::json::object o{
            {"msg", "access"},    {"conn", e.connection}, {"method", e.method},           {"target", e.target},
            {"status", e.status}, {"bytes", e.bytes},     {"duration_ms", e.duration_ms}, {"peer", e.peer}};
        if (!e.fault.empty()) o["fault"] = e.fault;
        logger_->info(boost::json::serialize(o));
        return;
    }
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.3fms", e.duration_ms);
    logger_->info("[conn {}] {} \"{} {}\" {} {}B {}{}{}", e.connection, e.peer, e.method, e.target, e.status, e.bytes,
                  duration, e.fault.empty() ? "" : " fault=", e.fault);
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
    if (!logger_ || !logger_->should_log(spdlog::level::debug)) return;
    if (format_ == log_format::json) {
        boost::json::object o{{"msg", message}, {"conn", connection}, {"peer", peer}};
        logger_->debug(boost::json::serialize(o));
    } else {
        logger_->debug("[conn {}] {} {}", connection, peer, message);
    }
}

}  // namespace teapot::detail

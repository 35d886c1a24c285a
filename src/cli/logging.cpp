#include "cli/logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace teapot::cli {

std::shared_ptr<spdlog::logger> make_logger(log_format format, const std::string& level, bool quiet) {
    auto logger = std::make_shared<spdlog::logger>("teapot", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    // In json mode the library's message is a JSON object: nest it, one document per line.
    logger->set_pattern(format == log_format::json ? R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","event":%v})"
                                                   : "%Y-%m-%dT%H:%M:%S.%fZ %-5l %v",
                        spdlog::pattern_time_type::utc);
    auto lvl = spdlog::level::from_str(level);
    // --quiet silences the access log (info) but keeps warnings and errors.
    if (quiet && lvl < spdlog::level::warn) lvl = spdlog::level::warn;
    logger->set_level(lvl);
    logger->flush_on(spdlog::level::warn);
    return logger;
}

}  // namespace teapot::cli

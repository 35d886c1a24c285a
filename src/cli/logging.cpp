#include "cli/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

namespace teapot::cli {
namespace {

// The event of a JSON log line: the library's messages are JSON objects already; any
// other message (the CLI's own, a library's) becomes {"msg": ...}, so that every line
// stays one valid JSON document.
class json_event_flag : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
        const std::string_view text{msg.payload.data(), msg.payload.size()};
        if (text.starts_with('{')) {
            dest.append(text.data(), text.data() + text.size());
            return;
        }
        const auto wrapped = "{\"msg\":" + boost::json::serialize(boost::json::string{text}) + "}";
        dest.append(wrapped.data(), wrapped.data() + wrapped.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<json_event_flag>(); }
};

}  // namespace

std::shared_ptr<spdlog::logger> make_logger(log_format format, const std::string& level, bool quiet) {
    auto logger = std::make_shared<spdlog::logger>("teapot", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    if (format == log_format::json) {
        auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
        formatter->add_flag<json_event_flag>('*').set_pattern(
            R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","event":%*})");
        logger->set_formatter(std::move(formatter));
    } else {
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %-5l %v", spdlog::pattern_time_type::utc);
    }
    auto lvl = spdlog::level::from_str(level);
    // --quiet silences the access log (info) but keeps warnings and errors.
    if (quiet && lvl < spdlog::level::warn) lvl = spdlog::level::warn;
    logger->set_level(lvl);
    logger->flush_on(spdlog::level::warn);
    return logger;
}

}  // namespace teapot::cli

#pragma once
// The CLI's log sinks: stderr, so that stdout carries only the ready line.

#include <teapot/options.hpp>

#include <memory>
#include <string>

namespace teapot::cli {

std::shared_ptr<spdlog::logger> make_logger(log_format format, const std::string& level, bool quiet);

}  // namespace teapot::cli

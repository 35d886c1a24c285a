#include "admin/journal_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstdio>
#include <ctime>

namespace teapot::detail {
namespace {

std::string rfc3339(journal_entry::time_point t) {
    using namespace std::chrono;
    auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
    std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[80];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
    return text;
}

}  // namespace

boost::json::value to_json(const journal_entry& e) {
    boost::json::array headers;
    for (const auto& [name, value] : e.headers) headers.push_back(boost::json::array{name, value});
    boost::json::array sessions;
    for (const auto& s : e.sessions) sessions.push_back(boost::json::string{s});
    boost::json::object o{
        {"id", e.id},
        {"method", e.method},
        {"target", e.target},
        {"path", e.path},
        {"headers", std::move(headers)},
        {"body", e.body},
        {"body_truncated", e.body_truncated},
        {"peer", e.peer},
        {"received", rfc3339(e.received)},
        {"first_byte", e.first_byte ? boost::json::value(rfc3339(*e.first_byte)) : boost::json::value(nullptr)},
        {"done", e.done ? boost::json::value(rfc3339(*e.done)) : boost::json::value(nullptr)},
        {"sessions", std::move(sessions)},
        {"status", e.status},
        {"fault", e.fault.empty() ? boost::json::value(nullptr) : boost::json::value(e.fault)},
        {"retry_after", e.retry_after_s ? boost::json::value(*e.retry_after_s) : boost::json::value(nullptr)},
        {"delay_ms", e.delay.count()},
    };
    if (e.scenario.empty()) {
        o["matched"] = false;
        o["unmatched"] = e.unmatched;
    } else {
        o["matched"] = true;
        o["scenario"] = e.scenario;
        o["route"] = e.route;
        if (e.step) o["step"] = *e.step;
        if (e.alternative) o["alternative"] = *e.alternative;
    }
    return o;
}

}  // namespace teapot::detail

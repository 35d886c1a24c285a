#include "journal/metrics.hpp"

namespace teapot::detail {
namespace {

// Label values escape backslash, double quote and line feed (the text format's rules).
std::string label(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\' || c == '"') out.push_back('\\');
        if (c == '\n') {
            out.append("\\n");
            continue;
        }
        out.push_back(c);
    }
    return out;
}

void header(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

// One sample: `name{labels} value`; `labels` is "" or already written as k="v",... (escaped).
void sample(std::string& out, std::string_view name, std::string_view labels, std::uint64_t value) {
    out.append(name);
    if (!labels.empty()) out.append("{").append(labels).append("}");
    out.append(" ").append(std::to_string(value)).append("\n");
}

std::string pair(std::string_view key, std::string_view value) {
    return std::string{key} + "=\"" + label(value) + "\"";
}

}  // namespace

void metrics::count(int status, std::string_view scenario, std::string_view route, std::string_view fault,
                    unsigned version) {
    std::lock_guard lock{mutex_};
    ++by_protocol_[version == 20 ? 2 : version == 10 ? 0 : 1];
    const auto key = std::tuple<int, std::string_view, std::string_view>{status, scenario, route};
    if (auto it = responses_.find(key); it != responses_.end())
        ++it->second;
    else
        responses_.emplace(std::tuple<int, std::string, std::string>{status, scenario, route}, 1);
    if (fault.empty()) return;
    if (auto it = faults_.find(fault); it != faults_.end())
        ++it->second;
    else
        faults_.emplace(std::string{fault}, 1);
}

std::string metrics::render(const metric_gauges& gauges) const {
    std::string out;
    {
        std::lock_guard lock{mutex_};
        header(out, "teapot_requests_total", "counter",
               "Responses by status (444: nothing sent, 499: the client left first) and the scenario route that "
               "answered (empty: a built-in endpoint).");
        for (const auto& [key, n] : responses_) {
            const auto& [status, scenario, route] = key;
            sample(
                out, "teapot_requests_total",
                pair("status", std::to_string(status)) + "," + pair("scenario", scenario) + "," + pair("route", route),
                n);
        }
        header(out, "teapot_requests_by_protocol_total", "counter",
               "Responses by the protocol that carried the request.");
        constexpr std::string_view protocols[] = {"HTTP/1.0", "HTTP/1.1", "HTTP/2"};
        for (std::size_t i = 0; i < std::size(protocols); ++i)
            sample(out, "teapot_requests_by_protocol_total", pair("protocol", protocols[i]), by_protocol_[i]);
        header(out, "teapot_faults_total", "counter", "Faults carried out, by name.");
        for (const auto& [fault, n] : faults_) sample(out, "teapot_faults_total", pair("fault", fault), n);
    }
    header(out, "teapot_connections_active", "gauge", "Open client connections.");
    sample(out, "teapot_connections_active", {}, gauges.connections);
    header(out, "teapot_sessions_active", "gauge", "Keyed scenario sessions alive, by scenario.");
    for (const auto& [scenario, n] : gauges.sessions)
        sample(out, "teapot_sessions_active", pair("scenario", scenario), n);
    header(out, "teapot_journal_entries", "gauge", "Requests the journal holds.");
    sample(out, "teapot_journal_entries", {}, gauges.journal_entries);
    header(out, "teapot_journal_dropped_total", "counter",
           "Journal entries pushed out, for their number or their bytes.");
    sample(out, "teapot_journal_dropped_total", {}, gauges.journal_dropped);
    header(out, "teapot_journal_bytes", "gauge", "Memory the journal's entries hold, as it counts them.");
    sample(out, "teapot_journal_bytes", {}, gauges.journal_bytes);
    header(out, "teapot_journal_waiters", "gauge", "Waits on the journal in progress (GET /__teapot/wait).");
    sample(out, "teapot_journal_waiters", {}, gauges.journal_waiters);
    return out;
}

}  // namespace teapot::detail

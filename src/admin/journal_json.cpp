#include "admin/journal_json.hpp"

#include "util/base64.hpp"
#include "util/utf8.hpp"

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

// Request bytes as a JSON string: as they are when UTF-8, else with U+FFFD for what is not.
boost::json::string text(std::string_view bytes) {
    if (is_utf8(bytes)) return boost::json::string{bytes};
    return boost::json::string{repaired_utf8(bytes)};
}

// [name, value], and when the value is not UTF-8: [name, value repaired, its bytes in base64].
// Readers of [name, value] keep working; the exact bytes are there for those who need them.
boost::json::array fields(const std::vector<std::pair<std::string, std::string>>& list) {
    boost::json::array out;
    out.reserve(list.size());
    for (const auto& [name, value] : list) {
        if (is_utf8(value) && is_utf8(name))
            out.push_back(boost::json::array{boost::json::string{name}, boost::json::string{value}});
        else
            out.push_back(boost::json::array{text(name), text(value), boost::json::string{base64_encode(value)}});
    }
    return out;
}

// null over plain HTTP; the client certificate null when none was presented.
boost::json::value tls_json(const tls_facts* t) {
    if (!t) return nullptr;
    auto empty_null = [](const std::string& s) {
        return s.empty() ? boost::json::value(nullptr) : boost::json::value(text(s));
    };
    boost::json::value client = nullptr;
    if (!t->client_subject.empty())
        client = boost::json::object{{"subject", text(t->client_subject)}, {"issuer", text(t->client_issuer)}};
    return boost::json::object{{"server_name", empty_null(t->server_name)},
                               {"version", text(t->version)},
                               {"cipher", text(t->cipher)},
                               {"alpn", empty_null(t->alpn)},
                               {"client_certificate", std::move(client)}};
}

}  // namespace

boost::json::value to_json(const journal_entry& e) {
    boost::json::array sessions;
    for (const auto& s : e.sessions) sessions.push_back(text(s));
    boost::json::object o{
        {"id", e.id},
        {"method", text(e.method)},
        {"target", text(e.target)},
        {"path", text(e.path)},
        {"headers", fields(e.headers)},
        {"headers_truncated", e.headers_truncated},
        {"header_count", e.header_count},
        {"header_bytes", e.header_bytes},
        {"trailers", fields(e.trailers)},
        {"trailers_truncated", e.trailers_truncated},
        {"trailer_count", e.trailer_count},
        {"trailer_bytes", e.trailer_bytes},
        {"body_truncated", e.body_truncated},
        {"body_size", e.body_size},
        {"peer", text(e.peer)},
        {"protocol", e.version == 20   ? "HTTP/2"
                     : e.version == 10 ? "HTTP/1.0"
                                       : "HTTP/1.1"},
        {"stream_id", e.stream_id ? boost::json::value(e.stream_id) : boost::json::value(nullptr)},
        {"tls", tls_json(e.tls.get())},
        {"received", rfc3339(e.received)},
        {"first_byte", e.first_byte ? boost::json::value(rfc3339(*e.first_byte)) : boost::json::value(nullptr)},
        {"done", e.done ? boost::json::value(rfc3339(*e.done)) : boost::json::value(nullptr)},
        {"sessions", std::move(sessions)},
        {"status", e.status},
        {"fault", e.fault.empty() ? boost::json::value(nullptr) : boost::json::value(text(e.fault))},
        {"retry_after", e.retry_after_s ? boost::json::value(*e.retry_after_s) : boost::json::value(nullptr)},
        {"delay_ms", e.delay.count()},
        {"pings", e.pings ? boost::json::value{{"sent", e.pings->sent}, {"acked", e.pings->acked}}
                          : boost::json::value(nullptr)},
    };
    // A body that is not UTF-8 (an image, protobuf) is null as text: its bytes are in base64,
    // rather than a "repaired" text three times their size that nobody could compare.
    if (is_utf8(e.body)) {
        o["body"] = e.body;
    } else {
        o["body"] = nullptr;
        o["body_base64"] = base64_encode(e.body);
    }
    if (e.scenario.empty()) {
        o["matched"] = false;
        o["unmatched"] = text(e.unmatched);
    } else {
        o["matched"] = true;
        o["scenario"] = text(e.scenario);
        o["route"] = text(e.route);
        if (e.step) o["step"] = *e.step;
        if (e.alternative) o["alternative"] = *e.alternative;
    }
    return o;
}

}  // namespace teapot::detail

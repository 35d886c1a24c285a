#include "admin/journal_record.hpp"

#include "faults/fault_syntax.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <charconv>

namespace teapot::detail {

journal_entry journal_entry_for(const request& req, const response_plan& plan, journal_entry::time_point received) {
    journal_entry e;
    e.method = req.method;
    e.target = req.target;
    if (!plan.origin.path.empty()) {
        e.path = plan.origin.path;  // the router parsed the target already
    } else {
        auto url = req.target.starts_with('/') ? boost::urls::parse_origin_form(req.target)
                                               : boost::urls::parse_absolute_uri(req.target);
        e.path = url ? std::string{url->path()} : std::string{req.target};
    }
    e.headers.reserve(req.headers.size());
    for (const auto& [name, value] : req.headers) e.headers.emplace_back(name, value);
    // Copied no further than the journal keeps.
    e.body = std::string{req.body.substr(0, std::min(req.body.size(), journal::max_body_bytes + 1))};
    e.peer = req.peer;
    e.received = received;
    e.scenario = plan.origin.scenario;
    e.route = plan.origin.route;
    e.step = plan.origin.step;
    e.alternative = plan.origin.alternative;
    e.unmatched = plan.origin.unmatched;
    e.sessions = plan.origin.sessions;
    e.delay = plan.delay;
    const bool nothing_sent = plan.action == response_plan::kind::close_silently || plan.fault.sends_no_response();
    e.status = nothing_sent ? 444 : plan.final_head.status;
    if (plan.fault.active()) e.fault = fault_name(plan.fault.what);
    // RFC 9110 §10.2.3: delta-seconds (what teapot sends unless a step writes an HTTP-date).
    if (const auto* retry = plan.final_head.find("Retry-After"); retry && !nothing_sent) {
        std::uint64_t seconds = 0;
        auto [end, ec] = std::from_chars(retry->data(), retry->data() + retry->size(), seconds);
        if (ec == std::errc{} && end == retry->data() + retry->size()) e.retry_after_s = seconds;
    }
    return e;
}

}  // namespace teapot::detail

#include "admin/journal_record.hpp"

#include "faults/fault_syntax.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <charconv>

namespace teapot::detail {

void fill_journal_entry(journal_entry& e, const request& req, const response_plan& plan,
                        journal_entry::time_point received) {
    e.id = 0;
    e.method.assign(req.method);
    e.target.assign(req.target);
    if (!plan.origin.path.empty()) {
        e.path.assign(plan.origin.path);  // the router parsed the target already
    } else {
        auto url = req.target.starts_with('/') ? boost::urls::parse_origin_form(req.target)
                                               : boost::urls::parse_absolute_uri(req.target);
        if (url)
            e.path.assign(url->path());
        else
            e.path.assign(req.target);
    }
    e.headers.resize(req.headers.size());
    for (std::size_t i = 0; i < req.headers.size(); ++i) {
        e.headers[i].first.assign(req.headers[i].first);
        e.headers[i].second.assign(req.headers[i].second);
    }
    // Copied no further than the journal keeps.
    e.body.assign(req.body.substr(0, std::min(req.body.size(), journal::max_body_bytes + 1)));
    e.body_truncated = false;
    e.peer.assign(req.peer);
    e.received = received;
    e.first_byte.reset();
    e.done.reset();
    e.scenario.assign(plan.origin.scenario);
    e.route.assign(plan.origin.route);
    e.step = plan.origin.step;
    e.alternative = plan.origin.alternative;
    e.unmatched.assign(plan.origin.unmatched);
    e.sessions.assign(plan.origin.sessions.begin(), plan.origin.sessions.end());
    e.delay = plan.delay;
    const bool nothing_sent = plan.action == response_plan::kind::close_silently || plan.fault.sends_no_response();
    e.status = nothing_sent ? 444 : plan.final_head.status;
    if (plan.fault.active())
        e.fault.assign(fault_name(plan.fault.what));
    else
        e.fault.clear();
    e.retry_after_s.reset();
    // RFC 9110 §10.2.3: delta-seconds (what teapot sends unless a step writes an HTTP-date).
    if (const auto* retry = plan.final_head.find("Retry-After"); retry && !nothing_sent) {
        std::uint64_t seconds = 0;
        auto [end, ec] = std::from_chars(retry->data(), retry->data() + retry->size(), seconds);
        if (ec == std::errc{} && end == retry->data() + retry->size()) e.retry_after_s = seconds;
    }
}

}  // namespace teapot::detail

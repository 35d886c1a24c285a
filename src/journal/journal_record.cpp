#include "journal/journal_record.hpp"

#include "faults/fault_syntax.hpp"
#include "util/utf8.hpp"
#include "util/whole_number.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>

namespace teapot::detail {
namespace {

// Entries are refilled for request after request (journal::record hands one back), so
// storage is kept for the next fill; but an entry is counted at its capacity, and one
// that once held a 64 KiB body must not hold 64 KiB for a 10-byte one: storage far
// larger than what it now holds is given back first.
inline void assign_kept(std::string& s, std::string_view value) {
    if (s.capacity() > 2 * value.size() + 256) [[unlikely]]
        std::string{}.swap(s);
    s.assign(value);
}

template <typename T>
void resize_kept(std::vector<T>& v, std::size_t n) {
    if (v.capacity() > 2 * n + 16) [[unlikely]]
        std::vector<T>{}.swap(v);
    v.resize(n);
}

using sent_fields = std::vector<std::pair<std::string_view, std::string_view>>;
using kept_fields = std::vector<std::pair<std::string, std::string>>;

// What is left of one request's allowance of fields and bytes.
struct allowance {
    std::size_t fields;
    std::size_t bytes;
};

// The first fields that fit what is left of the allowance, in order: a field that does not fit
// whole ends the list (a later, smaller one is not kept either: the list stays a prefix).
// Returns how many bytes the fields sent have (names and values).
std::size_t keep_fields(kept_fields& kept, const sent_fields& sent, allowance& left) {
    std::size_t n = 0;
    std::size_t total = 0;
    for (std::size_t i = 0; i < sent.size(); ++i) {
        const auto size = sent[i].first.size() + sent[i].second.size();
        total += size;
        if (n == i && n < left.fields && size <= left.bytes) {
            ++n;
            left.bytes -= size;
        }
    }
    left.fields -= n;
    resize_kept(kept, n);
    for (std::size_t i = 0; i < n; ++i) {
        assign_kept(kept[i].first, sent[i].first);
        assign_kept(kept[i].second, sent[i].second);
    }
    return total;
}

}  // namespace

void fill_journal_entry(journal_entry& e, const request& req, const response_plan& plan,
                        journal_entry::time_point received, const journal_limits& limits) {
    e.id = 0;
    assign_kept(e.method, req.method);
    assign_kept(e.target, req.target);
    if (!plan.origin.path.empty()) {
        assign_kept(e.path, plan.origin.path);  // the router parsed the target already
    } else {
        auto url = req.target.starts_with('/') ? boost::urls::parse_origin_form(req.target)
                                               : boost::urls::parse_absolute_uri(req.target);
        if (url)
            assign_kept(e.path, url->path());
        else
            assign_kept(e.path, req.target);
    }
    // Header fields first, then the trailer section, from one allowance of fields and bytes.
    allowance left{limits.fields, limits.field_bytes};
    e.header_bytes = keep_fields(e.headers, req.headers, left);
    e.header_count = req.headers.size();
    e.headers_truncated = e.headers.size() < e.header_count;
    e.trailer_bytes = req.trailers.empty() && e.trailers.empty() ? 0 : keep_fields(e.trailers, req.trailers, left);
    e.trailer_count = req.trailers.size();
    e.trailers_truncated = e.trailers.size() < e.trailer_count;
    // A text body cut mid-character would read as binary in the admin API: cut before it.
    const auto kept = req.body.size() <= limits.body_bytes ? req.body.size() : utf8_cut(req.body, limits.body_bytes);
    assign_kept(e.body, req.body.substr(0, kept));
    e.body_truncated = kept < req.body.size();
    e.body_size = req.body.size();
    assign_kept(e.peer, req.peer);
    e.version = req.version;
    e.stream_id = req.stream_id;
    e.tls = req.tls;
    e.received = received;
    e.first_byte.reset();
    e.done.reset();
    e.pings.reset();
    assign_kept(e.scenario, plan.origin.scenario);
    assign_kept(e.route, plan.origin.route);
    e.step = plan.origin.step;
    e.alternative = plan.origin.alternative;
    assign_kept(e.unmatched, plan.origin.unmatched);
    resize_kept(e.sessions, plan.origin.sessions.size());
    for (std::size_t i = 0; i < e.sessions.size(); ++i) assign_kept(e.sessions[i], plan.origin.sessions[i]);
    e.delay = plan.delay;
    const bool nothing_sent = plan.action == response_plan::kind::close_silently || plan.fault.sends_no_response();
    e.status = nothing_sent ? 444 : plan.final_head.status;
    if (plan.fault.active())
        assign_kept(e.fault, fault_name(plan.fault.what));
    else
        e.fault.clear();
    e.retry_after_s.reset();
    // RFC 9110 §10.2.3: delta-seconds (what teapot sends unless a step writes an HTTP-date).
    if (const auto* retry = plan.final_head.find("Retry-After"); retry && !nothing_sent) {
        if (auto seconds = parse_whole<std::uint64_t>(*retry)) e.retry_after_s = *seconds;
    }
}

}  // namespace teapot::detail

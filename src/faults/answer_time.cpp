#include "faults/answer_time.hpp"

#include "util/duration.hpp"

#include <algorithm>

namespace teapot::detail {
namespace {

// The head as the writer sends it, near enough: status line, fields, and the Date,
// Server and Content-Length it adds (about 80 bytes).
std::size_t head_size(const message_head& head) {
    std::size_t n = 13 + head.reason.size() + 2 + 80 + 2;
    for (const auto& f : head.headers) n += f.name.size() + 2 + f.value.size() + 2;
    return n;
}

void add(answer_time& t, std::chrono::milliseconds part, const std::string& what) {
    if (part.count() == 0) return;
    t.total += part;
    if (!t.arithmetic.empty()) t.arithmetic.append(" + ");
    t.arithmetic.append(what);
}

std::string paced_text(std::string_view what, std::size_t bytes, const pacing& pace) {
    const auto pieces = (bytes + pace.bytes - 1) / pace.bytes;
    return std::string{what} + " (" + std::to_string(bytes) + " bytes in pieces of " + std::to_string(pace.bytes) +
           ": " + std::to_string(pieces - 1) + " pauses of " + format_duration(pace.every) + ")";
}

}  // namespace

std::chrono::milliseconds paced_time(std::size_t bytes, const pacing& pace) {
    if (bytes == 0 || pace.bytes == 0) return std::chrono::milliseconds{0};
    const auto pieces = (bytes + pace.bytes - 1) / pace.bytes;
    return static_cast<std::chrono::milliseconds::rep>(pieces - 1) * pace.every;
}

answer_time planned_answer_time(const response_plan& plan, std::chrono::milliseconds delay,
                                std::chrono::milliseconds max_delay) {
    answer_time t;
    add(t, delay, "a delay of " + format_duration(delay));
    const auto& f = plan.fault;
    if (f.what == fault::kind::hang) {
        const auto hang = std::min(f.hang_for.value_or(max_delay), max_delay);
        add(t, hang, "a hang of " + format_duration(hang));
    }
    if (f.what == fault::kind::slow_headers) {
        const auto size = head_size(plan.final_head);
        add(t, paced_time(size, f.pace), paced_text("the head", size, f.pace));
    }
    if (plan.stream && !plan.omit_body) {
        // A truncated body is sent up to its cut only.
        const auto size = f.what == fault::kind::truncate ? std::min(f.bytes, plan.body.size()) : plan.body.size();
        add(t, paced_time(size, *plan.stream), paced_text("the body", size, *plan.stream));
    }
    return t;
}

}  // namespace teapot::detail

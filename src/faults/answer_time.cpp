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

// The pieces `bytes` are sent in at `pace`; `size` stands for bytes of a uniform pace unseen.
std::size_t piece_count(std::size_t size, std::string_view bytes, const pacing& pace) {
    if (pace.piece_end.empty()) return pace.bytes == 0 ? 0 : (size + pace.bytes - 1) / pace.bytes;
    std::size_t pieces = 0;
    for (; !bytes.empty(); ++pieces) bytes.remove_prefix(pace.piece_length(bytes));
    return pieces;
}

std::chrono::milliseconds pauses_between(std::size_t pieces, const pacing& pace) {
    return pieces < 2 ? std::chrono::milliseconds{0}
                      : static_cast<std::chrono::milliseconds::rep>(pieces - 1) * pace.every;
}

std::string paced_text(std::string_view what, std::size_t bytes, std::size_t pieces, const pacing& pace) {
    const auto each =
        pace.piece_end.empty() ? "of " + std::to_string(pace.bytes) : std::string{"ending a message each"};
    return std::string{what} + " (" + std::to_string(bytes) + " bytes in pieces " + each + ": " +
           std::to_string(pieces == 0 ? 0 : pieces - 1) + " pauses of " + format_duration(pace.every) + ")";
}

void add_paced(answer_time& t, std::string_view what, std::size_t size, std::string_view bytes, const pacing& pace) {
    const auto pieces = piece_count(size, bytes, pace);
    add(t, pauses_between(pieces, pace), paced_text(what, size, pieces, pace));
}

}  // namespace

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
        add_paced(t, "the head", head_size(plan.final_head), {}, f.pace);
    }
    if (plan.stream && !plan.omit_body) {
        // A truncated body is sent up to its cut only.
        const auto size = f.what == fault::kind::truncate ? std::min(f.bytes, plan.body.size()) : plan.body.size();
        add_paced(t, "the body", size, plan.body.view().substr(0, size), *plan.stream);
    }
    return t;
}

}  // namespace teapot::detail

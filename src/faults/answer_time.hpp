#pragma once
// How long an answer takes by its own design, whatever the client does: its delay,
// its head and body paced, a hang. Bounded at twice --max-delay, so that no answer
// holds a connection for days (issue 13: ?stream=1B/60s over 8 000 bytes lasted 5.6
// days, each pause within --max-delay).

#include "plan/fault.hpp"
#include "plan/response_plan.hpp"

#include <chrono>
#include <cstddef>
#include <string>

namespace teapot::detail {

/// The longest an answer may take by its own design: twice --max-delay.
constexpr std::chrono::milliseconds max_answer_time(std::chrono::milliseconds max_delay) { return 2 * max_delay; }

struct answer_time {
    std::chrono::milliseconds total{0};
    std::string arithmetic;  ///< "a delay of 1s + the body: 8000 pieces of 1 byte, 7999 pauses of 1m"
};

/// What `plan` takes: `delay` (for a random one, the largest it may draw), its paced head
/// (its size estimated) and body, and a hang (until --max-delay when it has no length).
answer_time planned_answer_time(const response_plan& plan, std::chrono::milliseconds delay,
                                std::chrono::milliseconds max_delay);

}  // namespace teapot::detail

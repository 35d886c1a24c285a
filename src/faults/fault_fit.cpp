#include "faults/fault_fit.hpp"

#include "faults/fault_syntax.hpp"

namespace teapot::detail {

std::string fault_misfit(const response_plan& plan) {
    const auto& f = plan.fault;
    if (!f.active() && !plan.stream) return {};
    std::string name = f.active() ? "fault " + std::string{fault_name(f.what)} : std::string{"stream"};
    if (plan.action != response_plan::kind::respond)
        return name + " cannot apply to status 444 or a WebSocket upgrade: they are not plain responses";
    if (f.sends_no_response() && plan.stream) return "stream cannot apply: " + name + " sends no response to pace";
    const auto status = std::to_string(plan.final_head.status);
    if ((f.needs_body() || plan.stream) && plan.body_framing == framing::none)
        return name + " needs a response with a body; " + status + " has none";
    const auto size = plan.body.size();
    if (f.what == fault::kind::truncate && f.bytes >= size)
        return "fault truncate must keep fewer bytes than the body has (" + std::to_string(size) + " for " + status +
               ")";
    if (f.what == fault::kind::wrong_length && f.length_delta < 0 && static_cast<std::size_t>(-f.length_delta) > size)
        return "fault wrong_length cannot announce fewer than 0 bytes: the body has " + std::to_string(size);
    return {};
}

}  // namespace teapot::detail

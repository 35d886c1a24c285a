#include "wire/exchange_record.hpp"

#include "faults/fault_syntax.hpp"
#include "journal/journal.hpp"
#include "journal/journal_record.hpp"
#include "journal/metrics.hpp"

#include <memory>

namespace teapot::detail {

int logged_status(const response_plan& plan, bool client_gone) {
    if (client_gone) return 499;
    if (plan.fault.sends_no_response()) return 444;
    return plan.final_head.status;
}

std::string_view fault_label(const response_plan& plan) {
    return plan.fault.active() ? fault_name(plan.fault.what) : std::string_view{};
}

std::optional<std::uint64_t> start_record(const handler_context& handlers, const request& req,
                                          const response_plan& plan, std::chrono::system_clock::time_point received) {
    auto* journal = handlers.journal;
    if (!journal || journal->capacity() == 0 || !plan.journaled) return std::nullopt;
    // Filled here, outside the journal's lock, then swapped into its ring: this thread
    // gets an old entry back and fills its storage next time.
    thread_local std::unique_ptr<journal_entry> scratch;
    if (!scratch) scratch = std::make_unique<journal_entry>();
    fill_journal_entry(*scratch, req, plan, received, journal->limits());
    return journal->record(scratch);
}

void finish_record(const handler_context& handlers, std::optional<std::uint64_t> entry, const response_plan& plan,
                   unsigned version, int status, std::optional<std::chrono::system_clock::time_point> first_byte,
                   std::optional<std::chrono::system_clock::time_point> done) {
    if (entry) handlers.journal->complete(*entry, status, first_byte, done ? *done : std::chrono::system_clock::now());
    // The admin API's own answers are not counted, as they are not journaled.
    if (auto* counters = handlers.counters; counters && plan.journaled)
        counters->count(status, plan.origin.scenario, plan.origin.route, fault_label(plan), version);
}

}  // namespace teapot::detail

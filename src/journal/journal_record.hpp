#pragma once
// A journal entry from what the session knows once a response is done: the
// request, the plan that answered it, and the times on the wire.

#include "journal/journal.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

namespace teapot::detail {

/// Makes `e` the entry for `req` as it is about to be answered by `plan`: its status
/// is the plan's (444 for a fault that sends nothing), and it has no times on the
/// wire yet. Fields and body are kept within `limits` (what was cut is flagged, with
/// the sizes sent). Every field is assigned, reusing the storage `e` already has
/// unless it is far larger than what it now holds.
void fill_journal_entry(journal_entry& e, const request& req, const response_plan& plan,
                        journal_entry::time_point received, const journal_limits& limits);

}  // namespace teapot::detail

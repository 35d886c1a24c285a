#pragma once
// Which journal entries a query, a wait or a reset is about: the public filter.

#include <teapot/journal.hpp>

namespace teapot::detail {

using journal_filter = teapot::request_filter;

}  // namespace teapot::detail

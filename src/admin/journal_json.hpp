#pragma once
// Journal entries as the admin API sends them: one JSON object each, times in
// RFC 3339 UTC with milliseconds, and only UTF-8 in strings: bytes that are not
// (a binary body, a latin-1 header value) are also given exactly, in base64.

#include "journal/journal.hpp"

#include <boost/json/value.hpp>

namespace teapot::detail {

boost::json::value to_json(const journal_entry& entry);

}  // namespace teapot::detail

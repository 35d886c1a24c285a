#pragma once
// The key a scenario session is kept under, and filed under in the journal: what the
// client sent for isolate_by, bounded in bytes (a 16 KiB header value would otherwise
// be kept twice for each of --max-sessions sessions of each scenario).

#include "util/compact_key.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace teapot::detail::scenario {

class match_subject;
struct isolation;

/// Keys up to this many bytes are kept as they are (a test's id, a pytest node id).
inline constexpr std::size_t max_stored_session_key = 256;

/// `key` as sessions and the journal keep it: as it is up to max_stored_session_key bytes,
/// else its first 200 bytes, "...", and a digest of the whole. Lookups by a key the admin
/// API or the C++ API is given go through it too, so the long key a client sent finds its session.
inline std::string stored_session_key(std::string_view key) { return compact_key(key, max_stored_session_key, 200); }

/// The session key of a request for a scenario isolated by `iso` (a header, a query
/// parameter or a cookie), as stored; empty: the global session.
std::string session_key(const isolation& iso, const match_subject& subject);

}  // namespace teapot::detail::scenario

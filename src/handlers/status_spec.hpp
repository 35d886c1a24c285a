#pragma once
// The <code> part of /status/<code>: one code, a list picked uniformly
// ("200,503") or a weighted list ("200:0.9,503:0.1").

#include <boost/container/static_vector.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace teapot::detail {

class random_source;

struct weighted_code {
    int code;
    double weight;
};

inline constexpr std::size_t max_spec_members = 64;

struct status_spec {
    /// In place, not on the heap: a spec is parsed for every /status request, and is
    /// nearly always one code.
    boost::container::static_vector<weighted_code, max_spec_members> members;

    /// One code, drawn by weight (no draw at all for a single member).
    int pick(random_source& random) const;
};

/// Parses a spec; on failure returns nullopt and sets `error` to a sentence
/// that says what was wrong and what is valid.
std::optional<status_spec> parse_status_spec(std::string_view text, std::string& error);

/// Parses one status code in 100..599 (three digits); nullopt otherwise.
std::optional<int> parse_status_code(std::string_view text) noexcept;

}  // namespace teapot::detail

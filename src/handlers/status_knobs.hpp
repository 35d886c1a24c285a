#pragma once
// The query knobs of /status/<code>, parsed and validated before anything is
// sent: a knob that would inject CR/LF, break framing or exceed a limit is a
// 400 that names it, never a response on the wire.

#include "faults/delay.hpp"
#include "handlers/negotiation.hpp"
#include "plan/fault.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace teapot::detail {

struct status_knobs {
    std::optional<int> final_code;            ///< ?final=: the final response after a 1xx
    std::optional<std::string> location;      ///< ?location=: URI-reference for 201/3xx/511
    std::optional<std::string> retry_after;   ///< ?retry_after=: delta-seconds or IMF-fixdate
    std::chrono::milliseconds delay{0};       ///< ?delay=, or the draw of random_delay
    std::optional<delay_spec> random_delay;   ///< ?delay=uniform:... or lognormal:...: drawn per request
    detail::fault fault;                      ///< ?fault=name[:value]
    std::optional<pacing> stream;             ///< ?stream=256B/100ms
    std::vector<header_field> headers;        ///< ?header=Name:Value (repeatable)
    std::optional<response_body> body;        ///< ?body= (a scenario step's body, shared)
    std::optional<std::string> content_type;  ///< ?content_type=
    std::optional<std::string> reason;        ///< ?reason=
    std::optional<language> lang;             ///< ?lang=en|fr
    /// Query parameters that are not knobs: the client's own (a cache buster, an API key),
    /// ignored, and named in X-Teapot-Ignored-Params (a near miss with the knob it resembles):
    /// the first max_named_ignored distinct names; the parameters past them are counted.
    std::vector<std::string> ignored;
    std::size_t ignored_unnamed = 0;
};

/// Ignored parameters named at most: a URI full of distinct names (8 KiB make 1 600)
/// cost 250 times a plain request to list and check, and a header as long as the URI.
constexpr std::size_t max_named_ignored = 16;

/// What knobs are checked against besides their syntax.
struct knob_limits {
    std::chrono::milliseconds max_delay{60'000};  ///< --max-delay: longer delays, hangs and pauses are a 400
    std::span<const std::string> redirect_hosts;  ///< --allowed-redirect-hosts (lower case); empty: any URI
    bool strict = false;                          ///< --strict-knobs: a parameter that is not a knob is a 400
};

/// The knob `name` is a near miss of (at most two edits, case aside), or "".
std::string nearest_knob(std::string_view name);

/// X-Teapot-Ignored-Params' value for these names: comma-separated, bytes outside a
/// token percent-encoded, a near miss followed by "(did you mean KNOB?)", then
/// "and N more" for the `unnamed` parameters past them.
std::string ignored_params_field(const std::vector<std::string>& names, std::size_t unnamed = 0);

/// Parses the knobs; nullopt with `error` set on the first invalid one. A parameter that
/// is not a knob is ignored (listed in `ignored`), or an error when `limits.strict`.
std::optional<status_knobs> parse_status_knobs(const std::vector<query_param>& params, const knob_limits& limits,
                                               std::string& error);

/// As above, with no redirect host list.
std::optional<status_knobs> parse_status_knobs(const std::vector<query_param>& params,
                                               std::chrono::milliseconds max_delay, std::string& error);

}  // namespace teapot::detail

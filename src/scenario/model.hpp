#pragma once
// A loaded scenario file, validated: what the loader produces and the player
// plays. Plain data; regexes are compiled and body files read at load time so
// that nothing can fail while serving.

#include "faults/delay.hpp"
#include "plan/fault.hpp"
#include "plan/response_plan.hpp"
#include "scenario/template.hpp"

#include <teapot/journal.hpp>  // tls_facts

#include <boost/json/value.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace teapot::detail::scenario {

class compiled_regex;  // scenario/regex.hpp: RE2 stays out of the model's users

/// Where something was written: 1-based line and column, as editors count.
struct source_location {
    std::string file;
    int line = 0;
    int column = 0;
};

/// "file:line:col: message", the form compilers use and editors jump to.
struct load_error {
    source_location where;
    std::string message;
    std::string to_string() const;
};

/// Which requests share step cursors, states and random streams.
struct isolation {
    enum class kind { global, header, query, cookie };
    kind by = kind::global;
    std::string name;  ///< header, query parameter or cookie name; empty for global

    /// As written after `isolate_by:`: "global", "header X-Test-Id", "query session"...
    std::string to_string() const;
};

/// A value test on a query parameter or header: "exact", "~REGEX", "*" (present), "!" (absent).
struct value_matcher {
    enum class kind { exact, regex, present, absent };
    kind how = kind::exact;
    std::string text;                             ///< the exact text, or the regex source
    std::shared_ptr<const compiled_regex> regex;  ///< compiled when how == regex (searched, not anchored)
};

/// The request path: exact ("/api/orders"), a pattern with captures
/// ("/orders/{id}": one whole segment per capture), or "~REGEX" (fully matched).
struct path_matcher {
    enum class kind { exact, pattern, regex };
    kind how = kind::exact;
    std::string text;                   ///< as written (without the leading ~ for regex)
    std::vector<std::string> segments;  ///< pattern: "orders", "{id}" (split on '/', no empties)
    std::shared_ptr<const compiled_regex> regex;
};

/// The request body: one of contains, equals, regex (searched) or json (partial match:
/// every member of the expected object must be present and equal, recursively;
/// arrays must be equal).
struct body_matcher {
    enum class kind { any, contains, equals, regex, json };
    kind how = kind::any;
    std::string text;
    std::shared_ptr<const compiled_regex> regex;
    boost::json::value json;
};

struct route_match {
    std::vector<std::string> methods;                            ///< upper-case; empty: any method
    std::optional<path_matcher> path;                            ///< absent: any path
    std::vector<std::pair<std::string, value_matcher>> query;    ///< names case-sensitive
    std::vector<std::pair<std::string, value_matcher>> headers;  ///< names case-insensitive
    body_matcher body;
};

struct alternative;

/// One scripted answer.
struct step {
    int status = 200;
    std::optional<std::string> reason;
    std::vector<header_field> headers;        ///< override the catalogue's defaults for `status`
    std::optional<response_body> body;        ///< from body, json or body_file (read at load); shared by answers
    std::optional<std::string> content_type;  ///< json: application/json; body_file: from its extension
    std::optional<std::uint64_t> times = 1;   ///< requests this step answers; nullopt: forever
    std::chrono::milliseconds delay{0};       ///< a fixed delay
    std::optional<delay_spec> random_delay;   ///< uniform or lognormal: drawn per request from the route's stream
    detail::fault fault;                      ///< how the answer breaks on the wire
    std::optional<pacing> stream;             ///< the body trickles after the head
    std::vector<int> interim;                 ///< 1xx codes sent before the final response
    std::optional<std::string> set_state;
    /// one_of: each request this step answers draws one of these, by weight, from
    /// the (scenario, route, session) random stream. Each alternative is a whole
    /// step (the keys of this one merged in at load), without times or one_of.
    std::vector<alternative> one_of;
    /// template: true: the body and header values are rendered per request
    /// (template.hpp), from templates compiled at load.
    bool templated = false;
    std::optional<compiled_template> body_template;   ///< templated and a body: `body`, compiled
    std::vector<compiled_template> header_templates;  ///< templated: one per entry of `headers`, in order
    source_location where;
};

/// An answer of a `one_of`, drawn with probability weight / (sum of the weights).
struct alternative {
    double weight = 1.0;  ///< positive, finite
    step answer;
};

/// A route's quota: `requests` per fixed window of `per`, which opens at the
/// first request counted; when spent, `reject` answers and the steps wait.
struct route_limit {
    enum class key_kind { session, header };
    std::uint64_t requests = 1;
    std::chrono::milliseconds per{1000};
    key_kind key = key_kind::session;
    std::string header;  ///< key_kind::header: counted per value of this header (within a session)
    step reject;         ///< status 429 by default; never one_of, times ignored
};

/// What a route does once its last step is used up.
enum class then_mode { repeat_last, loop, pass, fail };

struct route {
    std::string id;
    route_match match;
    int priority = 0;
    std::optional<std::string> when_state;
    std::vector<step> steps;  ///< never empty
    then_mode then = then_mode::repeat_last;
    std::optional<route_limit> limit;
    /// What the route says, for hot reload: equal fingerprints (with equal ids) mean
    /// the route is unchanged and its cursors, quotas and streams carry over. The
    /// route's YAML in a canonical form (so comments and layout do not count) and a hash of
    /// every body it sends (a body_file may change while its YAML does not), as a SHA-1 in hex.
    std::string fingerprint;
    source_location where;
};

/// A verification rule of `expect:`; parsed and validated here, evaluated by the admin API.
struct expect_rule {
    enum class kind { count, order, no_unmatched, all_steps_used, honors_retry_after, tls };
    kind what = kind::count;
    std::string route;               ///< count, honors_retry_after, tls
    std::uint64_t min = 0, max = 0;  ///< count: exact N gives min == max == N
    std::vector<std::string> order;  ///< order: route ids
    /// tls: the facts every request must have come with, as {key of tls_fact_fields, value};
    /// {"client_certificate", "true"/"false"} for one presented or not. Empty: over TLS at all.
    std::vector<std::pair<std::string, std::string>> tls{};
    source_location where;
};

/// The TLS facts a `tls` rule compares, by their names in the journal's JSON.
struct tls_fact_field {
    std::string_view key;
    std::string teapot::tls_facts::*member;
};
inline constexpr std::array<tls_fact_field, 6> tls_fact_fields{{
    {"server_name", &teapot::tls_facts::server_name},
    {"version", &teapot::tls_facts::version},
    {"cipher", &teapot::tls_facts::cipher},
    {"alpn", &teapot::tls_facts::alpn},
    {"client_subject", &teapot::tls_facts::client_subject},
    {"client_issuer", &teapot::tls_facts::client_issuer},
}};

/// The expect rules, named once: the loader reads the keys from here, verify its
/// descriptions. A new rule is a row here, a parse in the loader, a check in journal/verify.
struct expect_rule_kind {
    expect_rule::kind what;
    std::string_view key;  ///< its key in YAML: `{route: r, count: 3}`
    bool needs_route;      ///< takes a `route`, which the others refuse
};
inline constexpr std::array<expect_rule_kind, 6> expect_rule_kinds{{
    {expect_rule::kind::count, "count", true},
    {expect_rule::kind::honors_retry_after, "honors_retry_after", true},
    {expect_rule::kind::order, "order", false},
    {expect_rule::kind::no_unmatched, "no_unmatched", false},
    {expect_rule::kind::all_steps_used, "all_steps_used", false},
    {expect_rule::kind::tls, "tls", true},
}};

/// The row of `what`.
constexpr const expect_rule_kind& expect_rule_kind_of(expect_rule::kind what) {
    for (const auto& k : expect_rule_kinds)
        if (k.what == what) return k;
    return expect_rule_kinds.front();  // unreachable: every kind has its row
}

/// A TLS case (tls/cases.hpp) a scenario needs served: `tls_cases: [expired, handshake-hang]`.
struct declared_tls_case {
    std::string name;
    source_location where;
};

struct scenario {
    std::string name;
    std::string file;  ///< as given; empty for text loaded without a file
    isolation isolate_by;
    std::optional<std::uint64_t> seed;
    std::vector<route> routes;
    std::vector<expect_rule> expect;
    std::vector<declared_tls_case> tls_cases{};  ///< checked against the cases served (registry)
    /// What holding it costs, as the loader meters its YAML with aliases resolved (scalar
    /// bytes plus a charge per node; body_file contents aside). Counted against --max-scenario-bytes.
    std::size_t resolved_bytes = 0;
};

}  // namespace teapot::detail::scenario

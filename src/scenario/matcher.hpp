#pragma once
// Whether a request matches a route's `match:`. Pure: the request is parsed
// once into a match_subject, then tested against any number of routes; a miss
// says which criterion failed, so a 404 can name the nearest route and why.

#include "plan/request.hpp"
#include "scenario/model.hpp"
#include "scenario/regex.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace teapot::detail::scenario {

/// How deep a body is parsed as JSON for `json:` matches. Boost.JSON's default is 32; a
/// parsed value is destroyed and compared by recursion, one frame per level, which 256
/// levels keep small. Deeper bodies miss with a reason that says so.
constexpr int max_json_body_depth = 256;

/// A request prepared for matching: target parsed and percent-decoded once,
/// the body parsed as JSON on first need (then cached). Not thread-safe: one
/// subject per request, used by the thread serving it.
class match_subject {
public:
    /// `max_regex_work`: the most work (program size × subject bytes) one regex match may take.
    explicit match_subject(const request& req, std::uint64_t max_regex_work = default_max_regex_work);

    const request& req() const noexcept { return req_; }
    /// False when the target is neither origin-form nor absolute-form: no path, no query.
    bool target_valid() const noexcept { return target_valid_; }
    const std::string& path() const noexcept { return path_; }  ///< percent-decoded
    /// Percent-decoded segments, empty ones included ("/a/" is "a", "").
    const std::vector<std::string>& segments() const noexcept { return segments_; }
    /// Percent-decoded query parameters in order, empty pairs ("&&") skipped.
    const std::vector<std::pair<std::string, std::string>>& query() const noexcept { return query_; }
    /// The first value of query parameter `name`, or nullptr.
    const std::string* query_value(std::string_view name) const noexcept;
    /// The body parsed as JSON, or nullptr when it is not JSON (or nested too deep).
    const boost::json::value* json_body() const;
    /// After json_body() returned nullptr: whether the body was nested deeper than max_json_body_depth.
    bool json_too_deep() const noexcept { return json_too_deep_; }
    /// The most work (program size × subject bytes) one regex match of this request may take.
    std::uint64_t max_regex_work() const noexcept { return max_regex_work_; }

private:
    const request& req_;
    std::uint64_t max_regex_work_;
    bool target_valid_ = false;
    std::string path_;
    std::vector<std::string> segments_;
    std::vector<std::pair<std::string, std::string>> query_;
    mutable std::optional<std::optional<boost::json::value>> json_;
    mutable bool json_too_deep_ = false;
};

/// The criteria of a match, in the order they are tested.
enum class criterion { method, path, query, headers, body };

struct match_result {
    bool matched = false;
    /// Path-pattern captures ("{id}" → "42"), in pattern order, when matched.
    std::vector<std::pair<std::string, std::string>> captures;
    /// How many criteria passed before the first failure (5 when matched).
    int passed = 0;
    /// The method alone failed to match a path that did: the request aimed at this
    /// route with the wrong method, which makes it a nearer miss than a wrong path.
    bool only_method_failed = false;
    std::optional<criterion> failed;  ///< the first criterion that failed
    /// What failed, readable: "method POST is not GET", "header Accept is missing".
    std::string reason;
};

/// Whether `m` takes `method` (HEAD counts as GET).
bool method_matches(const route_match& m, std::string_view method);

/// Tests `subject` against `m`: method, path, query, headers, body, in that order.
match_result match(const route_match& m, const match_subject& subject);

/// Convenience for one-off matches: prepares the subject itself.
match_result match(const route_match& m, const request& req);

/// Partial JSON match: every member of an `expected` object is present in
/// `actual` and matches, recursively; arrays and scalars are equal. On a miss,
/// `where` is the JSON Pointer of the first difference.
bool json_contains(const boost::json::value& actual, const boost::json::value& expected, std::string& where);

}  // namespace teapot::detail::scenario

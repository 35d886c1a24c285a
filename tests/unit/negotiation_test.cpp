#include <catch2/catch.hpp>

#include "handlers/negotiation.hpp"

using teapot::detail::content_type_of;
using teapot::detail::language;
using teapot::detail::media_type;
using teapot::detail::negotiate_language;
using teapot::detail::negotiate_media;

TEST_CASE("negotiate_media: no or empty Accept means text", "[negotiation]") {
    CHECK(negotiate_media("", false) == media_type::text);
    CHECK(negotiate_media("", true) == media_type::text);
    CHECK(negotiate_media("  \t ", true) == media_type::text);
}

TEST_CASE("negotiate_media: exact types", "[negotiation]") {
    CHECK(negotiate_media("application/json", false) == media_type::json);
    CHECK(negotiate_media("text/html", false) == media_type::html);
    CHECK(negotiate_media("text/plain", false) == media_type::text);
    CHECK(negotiate_media("APPLICATION/JSON", false) == media_type::json);
    CHECK(negotiate_media("text/html;level=1", false) == media_type::html);
    CHECK(negotiate_media("  application/json  ", false) == media_type::json);
}

TEST_CASE("negotiate_media: nothing acceptable falls back to text", "[negotiation]") {
    CHECK(negotiate_media("image/png", false) == media_type::text);
    CHECK(negotiate_media("image/*", true) == media_type::text);
    CHECK(negotiate_media("application/json;q=0", false) == media_type::text);
    CHECK(negotiate_media("text/html;q=0, application/json;q=0", false) == media_type::text);
}

TEST_CASE("negotiate_media: q-values decide", "[negotiation]") {
    CHECK(negotiate_media("text/html;q=0.5, application/json;q=0.9", false) == media_type::json);
    CHECK(negotiate_media("text/html;q=0.9, application/json;q=0.5", false) == media_type::html);
    CHECK(negotiate_media("application/json;q=0.1, text/plain;q=0.2", false) == media_type::text);
    CHECK(negotiate_media("text/html ; q=0.4 , application/json ; q=0.3", false) == media_type::html);
    CHECK(negotiate_media("text/html;Q=0.2, application/json;q=0.3", false) == media_type::json);
    CHECK(negotiate_media("text/html;level=1;q=0.9, application/json;q=0.8", false) == media_type::html);
    CHECK(negotiate_media("text/html;q=1.0, application/json;q=0.999", false) == media_type::html);
}

TEST_CASE("negotiate_media: wildcards", "[negotiation]") {
    // */* accepts everything equally: ours decides, text first.
    CHECK(negotiate_media("*/*", false) == media_type::text);
    CHECK(negotiate_media("*/*", true) == media_type::text);
    CHECK(negotiate_media("application/*", false) == media_type::json);
    CHECK(negotiate_media("application/*", true) == media_type::json);
    CHECK(negotiate_media("text/*", false) == media_type::text);
    // A refused exact type is not revived by a wildcard.
    CHECK(negotiate_media("text/plain;q=0, */*", false) == media_type::json);
    CHECK(negotiate_media("text/plain;q=0, text/*", false) == media_type::html);
    CHECK(negotiate_media("text/*;q=0, */*;q=0.5", false) == media_type::json);
}

TEST_CASE("negotiate_media: the most specific matching range gives the q", "[negotiation]") {
    // RFC 9110 §12.5.1: text/html matches "text/html;q=0.2" more specifically than "*/*".
    CHECK(negotiate_media("*/*;q=0.9, text/plain;q=0.2", false) == media_type::json);
    CHECK(negotiate_media("text/plain;q=0.2, */*;q=0.9", false) == media_type::json);
    CHECK(negotiate_media("text/*;q=0.3, text/html;q=0.7, */*;q=0.5", false) == media_type::html);
    CHECK(negotiate_media("text/*;q=0.8, text/plain;q=0.1, */*;q=0.5", false) == media_type::html);
}

TEST_CASE("negotiate_media: ties prefer specificity, then the client's order, then text", "[negotiation]") {
    // Equal q: the exact match beats a wildcard.
    CHECK(negotiate_media("*/*;q=0.5, application/json;q=0.5", false) == media_type::json);
    CHECK(negotiate_media("text/*;q=0.5, application/json;q=0.5", false) == media_type::json);
    // Equal q and specificity: the client's order.
    CHECK(negotiate_media("application/json, text/html", false) == media_type::json);
    CHECK(negotiate_media("text/html, application/json", false) == media_type::html);
    CHECK(negotiate_media("text/html, text/plain", false) == media_type::html);
    // Same range for two of ours: ours decides (text before html).
    CHECK(negotiate_media("text/*", false) == media_type::text);
}

TEST_CASE("negotiate_media: a malformed q makes the element unusable, not preferred", "[negotiation]") {
    CHECK(negotiate_media("text/html;q=abc, application/json;q=0.5", false) == media_type::json);
    CHECK(negotiate_media("text/html;q=2, application/json;q=0.5", false) == media_type::json);
    CHECK(negotiate_media("text/html;q=-0.5, application/json;q=0.5", false) == media_type::json);
    CHECK(negotiate_media("text/html;q=0.5x, application/json;q=0.1", false) == media_type::json);
    CHECK(negotiate_media("application/json;q=abc", false) == media_type::text);
    // An empty weight is malformed too (qvalue needs at least one digit).
    CHECK(negotiate_media("text/html;q=, application/json;q=0.5", false) == media_type::json);
}

TEST_CASE("negotiate_media: problem+json only when allowed", "[negotiation]") {
    CHECK(negotiate_media("application/problem+json", true) == media_type::problem_json);
    CHECK(negotiate_media("application/problem+json", false) == media_type::text);
    CHECK(negotiate_media("application/problem+json, application/json;q=0.5", false) == media_type::json);
    CHECK(negotiate_media("application/problem+json, application/json;q=0.5", true) == media_type::problem_json);
    CHECK(negotiate_media("application/json, application/problem+json", true) == media_type::json);
    CHECK(negotiate_media("application/json;q=0.5, application/problem+json", true) == media_type::problem_json);
}

TEST_CASE("negotiate_language", "[negotiation]") {
    CHECK(negotiate_language("") == language::en);
    CHECK(negotiate_language("fr") == language::fr);
    CHECK(negotiate_language("FR") == language::fr);
    CHECK(negotiate_language("fr-CA") == language::fr);
    CHECK(negotiate_language("fr-FR, en;q=0.5") == language::fr);
    CHECK(negotiate_language("en") == language::en);
    CHECK(negotiate_language("en-US") == language::en);
    CHECK(negotiate_language("de") == language::en);
    CHECK(negotiate_language("en;q=1, fr;q=0.5") == language::en);
    CHECK(negotiate_language("fr;q=0.5, en;q=1") == language::en);
    CHECK(negotiate_language("en;q=0.5, fr;q=0.9") == language::fr);
    CHECK(negotiate_language("de, fr;q=0.8") == language::fr);
    CHECK(negotiate_language("fr;q=0") == language::en);
    // "*" matches both equally: English, the default.
    CHECK(negotiate_language("*") == language::en);
    // "*" covers French while English is explicitly less wanted.
    CHECK(negotiate_language("en;q=0.1, *;q=0.5") == language::fr);
    // "french" is not a truncation of "fr".
    CHECK(negotiate_language("french") == language::en);
    CHECK(negotiate_language("f") == language::en);
}

TEST_CASE("content_type_of", "[negotiation]") {
    CHECK(content_type_of(media_type::text) == "text/plain; charset=utf-8");
    CHECK(content_type_of(media_type::json) == "application/json");
    CHECK(content_type_of(media_type::problem_json) == "application/problem+json");
    CHECK(content_type_of(media_type::html) == "text/html; charset=utf-8");
}

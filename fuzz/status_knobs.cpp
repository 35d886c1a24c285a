// Fuzz target: the /status/<code> path spec and its query knobs. The input is
// "SPEC?QUERY" plus, after a NUL, a few request header values (Range, Accept,
// Accept-Language) the handler also reads. Three ways in, one promise: an
// invalid spec or knob is an error sentence, never a crash, and whatever is
// accepted yields heads without CR, LF or NUL (README: "a value that would
// inject CR/LF, or break framing, is a 400").
//   1. parse_status_spec + parse_status_knobs on the raw bytes (values undecoded,
//      so every byte reaches the knob parsers, as %-decoding would let it);
//   2. handle_status with those params;
//   3. route() on a GET /status/SPEC?QUERY request (Boost.URL's parse and decoding).

#include "handlers/status_knobs.hpp"
#include "fuzz_check.hpp"
#include "handlers/handler_context.hpp"
#include "handlers/status_handler.hpp"
#include "handlers/status_spec.hpp"
#include "router/router.hpp"
#include "util/random_source.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

using namespace teapot::detail;

using teapot::fuzz::cut;

namespace {

// "a=1&b&c=" → {a,1} {b,""} {c,""}, bytes as they are.
std::vector<query_param> raw_params(std::string_view query) {
    std::vector<query_param> params;
    while (!query.empty()) {
        auto pair = cut(query, '&');
        auto eq = pair.find('=');
        params.push_back({std::string{pair.substr(0, eq)},
                          eq == std::string_view::npos ? std::string{} : std::string{pair.substr(eq + 1)}});
    }
    return params;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input{reinterpret_cast<const char*>(data), size};
    std::string_view rest = input;
    std::string_view target_part = cut(rest, '\0');
    std::string_view range = cut(rest, '\0');
    std::string_view accept = cut(rest, '\0');
    std::string_view accept_language = cut(rest, '\0');

    std::string_view query = target_part;
    std::string_view spec = cut(query, '?');
    const std::chrono::milliseconds max_delay{60'000};

    random_source random{42};
    handler_context ctx;
    ctx.max_delay = max_delay;
    ctx.random = &random;

    request req;
    req.method = "GET";
    std::string target = "/status/" + std::string{target_part};
    req.target = target;
    if (!range.empty()) req.headers.emplace_back("Range", range);
    if (!accept.empty()) req.headers.emplace_back("Accept", accept);
    if (!accept_language.empty()) req.headers.emplace_back("Accept-Language", accept_language);

    // 1. The parsers alone.
    std::string error;
    auto parsed_spec = parse_status_spec(spec, error);
    teapot::fuzz::check(parsed_spec.has_value() || !error.empty(), "a rejected spec without a reason");
    if (parsed_spec) {
        teapot::fuzz::check(!parsed_spec->members.empty() && parsed_spec->members.size() <= max_spec_members,
                            "a spec with no or too many members");
        int code = parsed_spec->pick(random);
        teapot::fuzz::check(code >= 100 && code <= 599, "a picked code out of range");
    }
    auto params = raw_params(query);
    error.clear();
    auto knobs = parse_status_knobs(params, max_delay, error);
    teapot::fuzz::check(knobs.has_value() || !error.empty(), "rejected knobs without a reason");
    if (knobs) {
        teapot::fuzz::check(knobs->delay <= max_delay, "a delay above --max-delay accepted");
        for (const auto& h : knobs->headers) {
            teapot::fuzz::check(is_token(h.name) && is_field_value(h.value), "an invalid header knob accepted",
                                h.name + ": " + h.value);
        }
    }

    // 2. The handler with those knobs (its 400s included).
    teapot::fuzz::check_plan(handle_status(req, spec, params, ctx));

    // 3. The whole way in, as a request target.
    teapot::fuzz::check_plan(route(req, ctx));
    return 0;
}

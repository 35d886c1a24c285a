// Fuzz target: step templates. The input is NUL-separated parts, so that seeds
// stay readable: TEMPLATE \0 TARGET \0 BODY \0 HEADERS \0 CAPTURES \0 SESSION,
// where HEADERS is "Name: value" lines and CAPTURES "name=value" lines. The
// template is compiled (with and without the route's capture names) and, when
// it compiles, rendered against a request made of the other parts, as a body
// and as a header field value.
// Promises checked: a template that does not compile says why and where (an
// offset inside the text); render_field_value of a template whose literal text
// is a valid field-value is a valid field-value (no CR/LF/NUL from the request).

#include "scenario/template.hpp"
#include "fuzz_check.hpp"
#include "plan/request.hpp"
#include "util/field_syntax.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace teapot::detail;
using namespace teapot::detail::scenario;

using teapot::fuzz::cut;

namespace {

void render_both(const compiled_template& t, const template_context& ctx) {
    (void)render(t, ctx);
    auto value = render_field_value(t, ctx);
    // The loader accepts a header template only when its source is a field-value; rendering
    // must keep it one, whatever the request holds.
    if (is_field_value(t.source()))
        teapot::fuzz::check(is_field_value(value), "render_field_value made an invalid field-value", value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view rest{reinterpret_cast<const char*>(data), size};
    std::string_view text = cut(rest, '\0');
    std::string_view target = cut(rest, '\0');
    std::string_view body = cut(rest, '\0');
    std::string_view header_lines = cut(rest, '\0');
    std::string_view capture_lines = cut(rest, '\0');
    std::string_view session = rest;

    request req;
    req.method = "POST";
    req.target = target.empty() ? std::string_view{"/orders/42?page=2"} : target;
    req.body = body;
    while (!header_lines.empty()) {
        auto line = cut(header_lines, '\n');
        auto colon = line.find(':');
        auto value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
        while (value.starts_with(' ')) value.remove_prefix(1);
        req.headers.emplace_back(line.substr(0, colon), value);
    }
    std::vector<std::pair<std::string, std::string>> captures;
    std::vector<std::string> capture_names;
    while (!capture_lines.empty()) {
        auto line = cut(capture_lines, '\n');
        auto eq = line.find('=');
        captures.emplace_back(line.substr(0, eq), eq == std::string_view::npos ? "" : line.substr(eq + 1));
        capture_names.push_back(captures.back().first);
    }

    template_context ctx;
    ctx.req = &req;
    ctx.captures = &captures;
    ctx.session = session;
    ctx.step_index = 2;
    ctx.step_count = 3;
    ctx.now = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT: renders the same every run
    ctx.random128 = [n = std::uint64_t{0}]() mutable { return std::array<std::uint64_t, 2>{++n, ~n}; };
    ctx.retry_after_s = 17;

    for (const std::vector<std::string>* names : {static_cast<const std::vector<std::string>*>(nullptr),
                                                  static_cast<const std::vector<std::string>*>(&capture_names)}) {
        template_error error;
        template_options options;
        options.path_captures = names;
        auto compiled = compile_template(text, error, options);
        if (!compiled) {
            teapot::fuzz::check(!error.message.empty(), "a template error without a message");
            teapot::fuzz::check(error.offset < text.size(), "a template error offset outside the text",
                                std::to_string(error.offset));
            continue;
        }
        teapot::fuzz::check(compiled->source() == text, "the source is not the text compiled");
        render_both(*compiled, ctx);
        // Without a request, every placeholder renders empty rather than failing.
        render_both(*compiled, template_context{});
    }
    return 0;
}

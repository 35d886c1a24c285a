// The loader's regexes: each `~REGEX` and body `regex:` compiled with RE2 at
// load time, so that a pattern RE2 refuses is a load error at its position.

#include "scenario/file_loader.hpp"
#include "scenario/regex.hpp"

namespace teapot::detail::scenario {
namespace {

// A regex in a message: whole when short, else its start (a source may be 4 KiB).
std::string quote_regex(const std::string& source) {
    constexpr std::size_t shown = 80;
    if (source.size() <= shown) return quote(source);
    return quote(source.substr(0, shown - 3) + "...");
}

}  // namespace

std::shared_ptr<const compiled_regex> file_loader::regex(const field& f, const std::string& source) {
    if (source.empty()) {
        error(f, "a non-empty regular expression");
        return nullptr;
    }
    if (source.size() > max_regex_bytes) {
        std::string message = f.label;
        message.append(" has a regular expression of ").append(std::to_string(source.size()));
        message.append(" bytes; expected at most ").append(std::to_string(max_regex_bytes));
        error(f.mark, std::move(message));
        return nullptr;
    }
    auto compiled = compile_regex(source);
    if (compiled.regex) return std::move(compiled.regex);
    std::string message = f.label;
    switch (compiled.error->what) {
        case regex_error::kind::invalid:
            message.append(" has an invalid regular expression ").append(quote_regex(source)).append(" (");
            message.append(compiled.error->message).append("); expected RE2 syntax (Go's regexp)");
            break;
        case regex_error::kind::unsupported:
            message.append(" has a regular expression RE2 cannot run, ").append(quote_regex(source)).append(": ");
            message.append(compiled.error->message);
            break;
        case regex_error::kind::too_large:
            message.append(" has a regular expression too large to match in bounded time, ");
            message.append(quote_regex(source)).append(": ").append(compiled.error->message);
            break;
    }
    error(f.mark, std::move(message));
    return nullptr;
}

}  // namespace teapot::detail::scenario

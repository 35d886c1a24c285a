#include "handlers/httpbin/prefix.hpp"

namespace teapot::detail::httpbin {

std::string prefix_problem(std::string_view prefix) {
    if (!prefix.starts_with('/') || prefix.size() < 2 || prefix.ends_with('/'))
        return "starts with / and does not end with one (/httpbin)";
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        const char c = prefix[i];
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                c == '-' || c == '.' || c == '_' || c == '~';
        if (c == '/' && i > 0 && prefix[i - 1] == '/') return "has an empty segment (//)";
        if (c != '/' && !unreserved) return "may hold letters, digits, -._~ and / only (it is matched as sent)";
    }
    if (prefix == "/__teapot" || prefix.starts_with("/__teapot/")) return "is the admin API's";
    return {};
}

}  // namespace teapot::detail::httpbin

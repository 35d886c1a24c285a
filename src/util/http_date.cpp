#include "util/http_date.hpp"

#include <array>
#include <cstdio>

namespace teapot::detail {
namespace {
constexpr std::array<const char*, 7> days{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool digits(std::string_view s) noexcept {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}
int number(std::string_view s) noexcept {
    int n = 0;
    for (char c : s) n = n * 10 + (c - '0');
    return n;
}
}  // namespace

std::string format_http_date(std::time_t t) {
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[static_cast<std::size_t>(tm.tm_wday)],
                  tm.tm_mday, months[static_cast<std::size_t>(tm.tm_mon)], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    return buf;
}

std::string_view current_http_date() {
    // Formatting costs more than a whole small response; once a second is enough.
    thread_local std::time_t cached_second = -1;
    thread_local std::string cached;
    std::time_t now = std::time(nullptr);
    if (now != cached_second) {
        cached = format_http_date(now);
        cached_second = now;
    }
    return cached;
}

bool is_imf_fixdate(std::string_view s) noexcept {
    // "Sun, 06 Nov 1994 08:49:37 GMT": fixed width, 29 characters.
    if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
        s[22] != ':' || s.substr(25) != " GMT")
        return false;
    bool day_ok = false, month_ok = false;
    for (auto d : days) day_ok |= s.substr(0, 3) == d;
    for (auto m : months) month_ok |= s.substr(8, 3) == m;
    auto dd = s.substr(5, 2), yyyy = s.substr(12, 4), hh = s.substr(17, 2), mi = s.substr(20, 2), ss = s.substr(23, 2);
    if (!day_ok || !month_ok || !digits(dd) || !digits(yyyy) || !digits(hh) || !digits(mi) || !digits(ss)) return false;
    return number(dd) >= 1 && number(dd) <= 31 && number(hh) <= 23 && number(mi) <= 59 && number(ss) <= 60;
}

}  // namespace teapot::detail

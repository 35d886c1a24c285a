#include "util/host_field.hpp"
#include "util/whole_number.hpp"

#include <boost/url/grammar/parse.hpp>
#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/rfc/pct_encoded_rule.hpp>
#include <boost/url/rfc/sub_delim_chars.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace teapot::detail {
namespace urls = boost::urls;

namespace {

// port = *DIGIT (RFC 3986 §3.2.3); an empty one means none.
bool parse_port(std::string_view digits, std::optional<std::uint16_t>& port) {
    if (digits.empty()) return true;
    port = parse_whole<std::uint16_t>(digits);
    return port.has_value();
}

// Letters, digits, '.' and '-': the usual name or IPv4 address, valid as it stands. Every
// request's Host is checked: one look per byte here, Boost.URL's grammar for the rest.
bool is_plain_name(std::string_view host) {
    static constexpr auto allowed = [] {
        std::array<bool, 256> table{};
        for (unsigned char c : std::string_view{".-"}) table[c] = true;
        for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
        for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
        for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
        return table;
    }();
    return std::all_of(host.begin(), host.end(), [](unsigned char c) { return allowed[c]; });
}

bool same_host(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

}  // namespace

std::optional<host_and_port> parse_host_field(std::string_view value) noexcept {
    host_and_port out;
    std::string_view rest;
    if (value.starts_with('[')) {
        // IP-literal: an IPv6 address in brackets (IPvFuture is not served).
        auto close = value.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        out.host = value.substr(1, close - 1);
        out.ipv6 = true;
        if (!urls::parse_ipv6_address(out.host)) return std::nullopt;
        rest = value.substr(close + 1);
    } else {
        // IPv4address and reg-name: unreserved, sub-delims and pct-encoded, never ':'.
        auto colon = value.find(':');
        out.host = value.substr(0, colon);
        if (out.host.empty() ||
            (!is_plain_name(out.host) &&
             !urls::grammar::parse(out.host, urls::pct_encoded_rule(urls::unreserved_chars + urls::sub_delim_chars))))
            return std::nullopt;
        rest = colon == std::string_view::npos ? std::string_view{} : value.substr(colon);
    }
    if (rest.empty()) return out;
    if (rest.front() != ':' || !parse_port(rest.substr(1), out.port)) return std::nullopt;
    return out;
}

bool is_loopback_name(const host_and_port& h) noexcept {
    if (h.ipv6) {
        auto v6 = urls::parse_ipv6_address(h.host);
        return v6 && v6->is_loopback();
    }
    if (auto v4 = urls::parse_ipv4_address(h.host)) return v4->is_loopback();
    return same_host(h.host, "localhost");
}

bool is_origin_of_host(std::string_view origin, std::string_view host_field, bool https) noexcept {
    const std::string_view scheme = https ? "https://" : "http://";
    const std::uint16_t default_port = https ? 443 : 80;
    if (origin.size() <= scheme.size() || !same_host(origin.substr(0, scheme.size()), scheme)) return false;
    auto theirs = parse_host_field(origin.substr(scheme.size()));
    auto mine = parse_host_field(host_field);
    return theirs && mine && same_host(theirs->host, mine->host) &&
           theirs->port.value_or(default_port) == mine->port.value_or(default_port);
}

}  // namespace teapot::detail

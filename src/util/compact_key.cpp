#include "util/compact_key.hpp"

#include <boost/beast/core/detail/sha1.hpp>

#include <array>

namespace teapot::detail {

std::string compact_key(std::string_view key, std::size_t max, std::size_t prefix) {
    if (key.size() <= max) return std::string{key};
    std::size_t cut = prefix;
    while (cut > 0 && (static_cast<unsigned char>(key[cut]) & 0xC0) == 0x80) --cut;
    boost::beast::detail::sha1_context context{};
    boost::beast::detail::init(context);
    boost::beast::detail::update(context, key.data(), key.size());
    std::array<unsigned char, boost::beast::detail::sha1_context::digest_size> digest{};
    boost::beast::detail::finish(context, digest.data());
    static constexpr char hex[] = "0123456789abcdef";
    std::string out{key.substr(0, cut)};
    out.append("...");
    for (std::size_t i = 0; i < 16; ++i) out.append({hex[digest[i] >> 4], hex[digest[i] & 0xf]});
    return out;
}

}  // namespace teapot::detail

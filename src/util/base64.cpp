#include "util/base64.hpp"

#include <boost/beast/core/detail/base64.hpp>

namespace teapot::detail {

std::string base64_encode(std::string_view bytes) {
    namespace b64 = boost::beast::detail::base64;
    std::string out(b64::encoded_size(bytes.size()), '\0');
    out.resize(b64::encode(out.data(), bytes.data(), bytes.size()));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    namespace b64 = boost::beast::detail::base64;
    if (text.size() % 4 != 0) return std::nullopt;
    std::string out(b64::decoded_size(text.size()), '\0');
    const auto [written, read] = b64::decode(out.data(), text.data(), text.size());
    // Beast stops at the first "=" or byte outside the alphabet: only padding may follow.
    const auto rest = text.substr(read);
    if (rest.size() > 2 || rest.find_first_not_of('=') != std::string_view::npos) return std::nullopt;
    out.resize(written);
    return out;
}

}  // namespace teapot::detail

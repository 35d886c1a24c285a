#include "util/base64.hpp"

#include <boost/beast/core/detail/base64.hpp>

namespace teapot::detail {

std::string base64_encode(std::string_view bytes) {
    namespace b64 = boost::beast::detail::base64;
    std::string out(b64::encoded_size(bytes.size()), '\0');
    out.resize(b64::encode(out.data(), bytes.data(), bytes.size()));
    return out;
}

}  // namespace teapot::detail

#include "util/hex_digest.hpp"

#include <openssl/evp.h>

namespace teapot::detail {

std::optional<std::string> hex_digest(std::string_view algorithm, std::string_view data) {
    const EVP_MD* md = algorithm == "MD5"       ? EVP_md5()
                       : algorithm == "SHA-256" ? EVP_sha256()
                       : algorithm == "SHA-512" ? EVP_sha512()
                                                : nullptr;
    if (!md) return std::nullopt;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &size, md, nullptr) != 1) return std::nullopt;
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * size);
    for (unsigned int i = 0; i < size; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 0xF]);
    }
    return out;
}

}  // namespace teapot::detail

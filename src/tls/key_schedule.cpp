#include "tls/key_schedule.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>
#include <string>

namespace teapot::detail::tls {

std::vector<unsigned char> expand_label(const EVP_MD* md, const std::vector<unsigned char>& secret,
                                        std::string_view label, std::size_t size) {
    const std::string full = "tls13 " + std::string{label};
    std::vector<unsigned char> info{static_cast<unsigned char>(size >> 8), static_cast<unsigned char>(size),
                                    static_cast<unsigned char>(full.size())};
    info.insert(info.end(), full.begin(), full.end());
    info.push_back(0);  // an empty context
    std::string digest = EVP_MD_get0_name(md);
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest.data(), 0),
        OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<unsigned char*>(secret.data()), secret.size()),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), info.size()), OSSL_PARAM_construct_end()};
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr);
    if (!kdf) return {};
    std::unique_ptr<EVP_KDF_CTX, decltype(&EVP_KDF_CTX_free)> ctx{EVP_KDF_CTX_new(kdf), &EVP_KDF_CTX_free};
    EVP_KDF_free(kdf);
    std::vector<unsigned char> out(size);
    if (!ctx || EVP_KDF_derive(ctx.get(), out.data(), out.size(), params) != 1) return {};
    return out;
}

}  // namespace teapot::detail::tls

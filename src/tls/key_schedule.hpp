#pragma once
// TLS 1.3's HKDF-Expand-Label (RFC 8446 §7.1), through OpenSSL's KDF provider: what
// tls-alert needs to follow a connection's keys (write_keys) and seal under them
// (sealed_alert).

#include <string_view>
#include <vector>

typedef struct evp_md_st EVP_MD;

namespace teapot::detail::tls {

/// HKDF-Expand-Label(secret, label, "", size) with the suite's hash `md`; empty on failure.
std::vector<unsigned char> expand_label(const EVP_MD* md, const std::vector<unsigned char>& secret,
                                        std::string_view label, std::size_t size);

}  // namespace teapot::detail::tls

// Base64 (RFC 4648 §4) as the journal writes it and httpbin's Basic credentials read it.

#include <catch2/catch.hpp>

#include "util/base64.hpp"

TEST_CASE("base64: decoded only with its padding and nothing outside the alphabet", "[base64]") {
    using teapot::detail::base64_decode;
    CHECK(base64_decode("dXNlcjpwYXNzd2Q=") == "user:passwd");
    CHECK(base64_decode("YQ==") == "a");
    CHECK(base64_decode("") == "");
    CHECK_FALSE(base64_decode("YQ"));    // padding missing
    CHECK_FALSE(base64_decode("Y*=="));  // outside the alphabet
    CHECK_FALSE(base64_decode("Y==="));
    CHECK(teapot::detail::base64_encode("user:passwd") == "dXNlcjpwYXNzd2Q=");
}

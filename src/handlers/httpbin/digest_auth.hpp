#pragma once
// httpbin's /digest-auth/<qop>/<user>/<passwd>[/<algorithm>[/<stale_after>]]:
// HTTP Digest authentication (RFC 7616) with qop auth or auth-int, MD5, SHA-256
// or SHA-512, the cookies httpbin sets on its challenge (stale_after, fake,
// last_nonce), stale nonces after a count, and ?require-cookie.

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string_view>
#include <vector>

namespace teapot::detail::httpbin {

/// `rest` is what follows /digest-auth/: "<qop>/<user>/<passwd>[/<algorithm>[/<stale_after>]]".
response_plan digest_auth(const request& req, std::string_view rest, const std::vector<query_param>& params,
                          const handler_context& ctx);

}  // namespace teapot::detail::httpbin

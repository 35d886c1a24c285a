#pragma once
// httpbin's documents: /robots.txt, /deny (its angry face), /links/<n>[/<offset>]
// (a page of n links to its siblings), /forms/post (a form that posts to /post),
// /upload (a file form that posts to itself),
// /html, /xml, /json, /encoding/utf8, and /image[/<kind>] (teapot's own drawing).

#include "handlers/handler_context.hpp"
#include "plan/request.hpp"
#include "plan/response_plan.hpp"

#include <string_view>
#include <vector>

namespace teapot::detail::httpbin {

response_plan robots_txt(const request& req, std::string_view rest, const std::vector<query_param>& params,
                         const handler_context& ctx);
response_plan deny(const request& req, std::string_view rest, const std::vector<query_param>& params,
                   const handler_context& ctx);
/// A form with httpbin's fields (firstname, lastname) that posts to /post: a browser's way in.
response_plan forms_post(const request& req, std::string_view rest, const std::vector<query_param>& params,
                         const handler_context& ctx);
/// `rest` is "<n>" (a 302 to /links/<n>/0) or "<n>/<offset>" (the page).
response_plan links(const request& req, std::string_view rest, const std::vector<query_param>& params,
                    const handler_context& ctx);

/// GET: a page with a file form that posts multipart/form-data back here; POST: /post's
/// answer (the files and fields as httpbin reads them).
response_plan upload(const request& req, std::string_view rest, const std::vector<query_param>& params,
                     const handler_context& ctx);
/// httpbin's page: a passage of Moby-Dick (public domain), byte for byte.
response_plan html(const request& req, std::string_view rest, const std::vector<query_param>& params,
                   const handler_context& ctx);
/// httpbin's sample XML (a slide show), byte for byte.
response_plan xml(const request& req, std::string_view rest, const std::vector<query_param>& params,
                  const handler_context& ctx);
/// The same slide show as JSON, as httpbin.org serves it (Debian's httpbin 0.7.0 has no /json).
response_plan json(const request& req, std::string_view rest, const std::vector<query_param>& params,
                   const handler_context& ctx);
/// A page of UTF-8 text of teapot's own: characters of 1 to 4 bytes, combining marks, right to left.
response_plan utf8_page(const request& req, std::string_view rest, const std::vector<query_param>& params,
                        const handler_context& ctx);
/// The image Accept prefers (webp, svg, jpeg, then png, as httpbin), png without Accept, else 406.
response_plan image(const request& req, std::string_view rest, const std::vector<query_param>& params,
                    const handler_context& ctx);
/// `rest` is "png", "jpeg", "webp" or "svg": that image; anything else 404.
response_plan image_of_kind(const request& req, std::string_view rest, const std::vector<query_param>& params,
                            const handler_context& ctx);

}  // namespace teapot::detail::httpbin

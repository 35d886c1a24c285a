#include "handlers/httpbin/encodings.hpp"

#include "handlers/httpbin/json_reply.hpp"
#include "handlers/httpbin/request_view.hpp"
#include "util/compression.hpp"

#include <boost/json/object.hpp>

#include <string>

namespace teapot::detail::httpbin {
namespace {

// get_dict('origin', 'headers', method=..., <flag>=True), compressed.
response_plan encoded(const request& req, const std::vector<query_param>& params, const char* flag, const char* coding,
                      std::string (*compress)(std::string_view)) {
    auto fields = echo(req, params, field::origin | field::headers);
    fields["method"] = req.method;
    fields[flag] = true;
    auto plan = json_reply(req, fields);
    plan.body = compress(plan.body.view());
    plan.final_head.set("Content-Encoding", coding);
    return plan;
}

std::string gzip_level_4(std::string_view data) { return gzip_compress(data, 4); }  // httpbin's compresslevel
// brotli.compress's quality 11 (httpbin's bytes exactly) up to 4 KiB, quality 5 beyond: at 11 a
// 64 KiB body (headers at --max-header-size's ceiling) holds the I/O thread 65-90 ms, at 5 about
// 3 ms; 4 KiB at 11 about 3 ms (docs/httpbin.md, "Encodings").
std::string brotli_bounded(std::string_view data) { return brotli_compress(data, data.size() <= 4096 ? 11 : 5); }

}  // namespace

response_plan gzip(const request& req, std::string_view, const std::vector<query_param>& params,
                   const handler_context&) {
    return encoded(req, params, "gzipped", "gzip", gzip_level_4);
}

response_plan deflate(const request& req, std::string_view, const std::vector<query_param>& params,
                      const handler_context&) {
    return encoded(req, params, "deflated", "deflate", zlib_compress);
}

response_plan brotli(const request& req, std::string_view, const std::vector<query_param>& params,
                     const handler_context&) {
    return encoded(req, params, "brotli", "br", brotli_bounded);
}

}  // namespace teapot::detail::httpbin

#include "wire/request_view.hpp"

#include <iterator>

namespace teapot::detail {

request view_of(const boost::beast::http::request<boost::beast::http::string_body>& msg) {
    request r;
    r.method = msg.method_string();
    r.target = msg.target();
    r.version = msg.version();
    r.headers.reserve(static_cast<std::size_t>(std::distance(msg.begin(), msg.end())));
    for (const auto& field : msg) r.headers.emplace_back(field.name_string(), field.value());
    r.body = msg.body();
    return r;
}

request view_of(const request_parser& parser) {
    auto r = view_of(parser.get());
    r.trailers.reserve(parser.trailers().size());
    for (const auto& [name, value] : parser.trailers()) r.trailers.emplace_back(name, value);
    return r;
}

}  // namespace teapot::detail

#include "http/request_view.hpp"

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

}  // namespace teapot::detail

#include "util/json_text.hpp"

#include "util/utf8.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/serializer.hpp>

namespace teapot::detail {

std::string json_text(const boost::json::value& value) {
    // Boost.JSON escapes what JSON must and passes every byte from 0x80 on through as it is:
    // the only bytes that can be ill-formed are inside strings, and the repair leaves ASCII alone.
    auto text = boost::json::serialize(value);
    if (is_utf8(text)) return text;
    return repaired_utf8(text);
}

std::size_t json_size(const boost::json::value& value) {
    boost::json::serializer writer;
    writer.reset(&value);
    char buffer[4096];
    std::size_t size = 0;
    while (!writer.done()) size += writer.read(buffer, sizeof buffer).size();
    return size;
}

}  // namespace teapot::detail

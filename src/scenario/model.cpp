#include "scenario/model.hpp"

namespace teapot::detail::scenario {

std::string load_error::to_string() const {
    // Appended piece by piece: g++ 12 warns falsely (-Wrestrict) on `literal + std::string` chains here.
    std::string out = where.file.empty() ? std::string{"<scenario>"} : where.file;
    if (where.line > 0) {
        out.append(":").append(std::to_string(where.line));
        out.append(":").append(std::to_string(where.column));
    }
    out.append(": ").append(message);
    return out;
}

std::string isolation::to_string() const {
    switch (by) {
        case kind::global: return "global";
        case kind::header: return "header " + name;
        case kind::query: return "query " + name;
        case kind::cookie: return "cookie " + name;
    }
    return {};
}

}  // namespace teapot::detail::scenario

#include "plan/response_plan.hpp"

#include "plan/request.hpp"

#include <algorithm>

namespace teapot::detail {

void message_head::set(std::string name, std::string value) {
    std::erase_if(headers, [&](const header_field& h) { return iequals(h.name, name); });
    headers.push_back({std::move(name), std::move(value)});
}

void message_head::add(std::string name, std::string value) { headers.push_back({std::move(name), std::move(value)}); }

const std::string* message_head::find(std::string_view name) const {
    for (const auto& h : headers)
        if (iequals(h.name, name)) return &h.value;
    return nullptr;
}

}  // namespace teapot::detail

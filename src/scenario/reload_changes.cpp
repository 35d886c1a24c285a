#include "scenario/reload_changes.hpp"

namespace teapot::detail::scenario {
namespace {

void append_item(std::string& out, std::string_view item) {
    if (!out.empty()) out.append(", ");
    out.append(item);
}

void append_routes(std::string& out, const std::vector<std::string>& ids, std::string_view what) {
    for (const auto& id : ids) {
        std::string item = "route ";
        item.append(id).append(" ").append(what);
        append_item(out, item);
    }
}

}  // namespace

std::string reload_changes::to_string() const {
    std::string out;
    auto part = [&out](const std::string& text) {
        if (text.empty()) return;
        if (!out.empty()) out.append("; ");
        out.append(text);
    };
    for (const auto& name : added_scenarios) part("scenario " + name + " added");
    for (const auto& name : removed_scenarios) part("scenario " + name + " removed");
    for (const auto& sc : kept_scenarios) {
        if (sc.empty()) continue;
        std::string items;
        if (sc.sessions_dropped) append_item(items, "isolate_by changed, every session starts fresh");
        append_routes(items, sc.changed, "changed (starts fresh)");
        append_routes(items, sc.added, "added");
        append_routes(items, sc.removed, "removed");
        std::string text = sc.name;
        text.append(": ").append(items);
        part(text);
    }
    return out.empty() ? std::string{"no route changed"} : out;
}

}  // namespace teapot::detail::scenario

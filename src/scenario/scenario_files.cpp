// Scenario files and directories: which files a --scenarios path names, each read
// (bounded) and loaded, and scenario names unique across them.

#include "scenario/file_loader.hpp"
#include "scenario/loader.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <system_error>

namespace teapot::detail::scenario {
namespace fs = std::filesystem;

namespace {

// An error about a whole file or directory: no line to point at.
load_error path_error(const std::string& path, std::string message) {
    load_error e;
    e.where.file = path;
    e.message = std::move(message);
    return e;
}

struct loaded_file {
    scenario value;
    source_location name_where;
};

std::optional<loaded_file> load_file(const fs::path& path, std::vector<load_error>& errors) {
    const std::string label = path.string();
    std::error_code ec;
    if (auto size = fs::file_size(path, ec); !ec && size > max_scenario_file_size) {
        errors.push_back(path_error(label, "this file is larger than 16 MiB; expected a scenario file"));
        return std::nullopt;
    }
    std::ifstream in{path, std::ios::binary};
    std::string text;
    if (in.is_open()) text.assign(std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{});
    if (!in.is_open() || in.bad()) {
        errors.push_back(path_error(label, "cannot read this scenario file (check that it exists and is readable)"));
        return std::nullopt;
    }
    file_loader loader{label, path.parent_path()};
    auto loaded = loader.load(text);
    auto& found = loader.errors();
    errors.insert(errors.end(), std::make_move_iterator(found.begin()), std::make_move_iterator(found.end()));
    if (!loaded) return std::nullopt;
    return loaded_file{std::move(*loaded), loader.name_where()};
}

bool is_scenario_file_name(const fs::path& p) {
    auto ext = p.extension();
    return ext == ".yaml" || ext == ".yml";
}

}  // namespace

load_result load_scenario_paths(const std::vector<std::string>& paths) {
    load_result result;
    std::vector<fs::path> files;
    for (const auto& given : paths) {
        const fs::path path{given};
        std::error_code ec;
        auto status = fs::status(path, ec);
        if (!fs::exists(status)) {
            result.errors.push_back(path_error(
                given, "no such file or directory; expected a scenario file or a directory of *.yaml and *.yml files"));
            continue;
        }
        if (fs::is_regular_file(status)) {
            files.push_back(path);
            continue;
        }
        if (!fs::is_directory(status)) {
            result.errors.push_back(path_error(given, "neither a file nor a directory; expected a scenario file"));
            continue;
        }
        std::vector<fs::path> in_dir;
        fs::directory_iterator it{path, ec}, end;
        for (; !ec && it != end; it.increment(ec)) {
            std::error_code entry_ec;
            if (is_scenario_file_name(it->path()) && it->is_regular_file(entry_ec)) in_dir.push_back(it->path());
        }
        if (ec) {
            std::string message = "cannot list this directory: ";
            message.append(ec.message());
            result.errors.push_back(path_error(given, std::move(message)));
            continue;
        }
        std::sort(in_dir.begin(), in_dir.end(),
                  [](const fs::path& a, const fs::path& b) { return a.filename() < b.filename(); });
        files.insert(files.end(), in_dir.begin(), in_dir.end());
    }

    // The same file named twice (itself and through its directory) is loaded once.
    std::set<fs::path> seen;
    std::map<std::string, std::string> owner;  // scenario name → the file that declared it first
    for (const auto& file : files) {
        std::error_code ec;
        auto canonical = fs::weakly_canonical(file, ec);
        if (!seen.insert(ec ? file : canonical).second) continue;
        auto loaded = load_file(file, result.errors);
        if (!loaded) continue;
        auto [first, inserted] = owner.emplace(loaded->value.name, loaded->value.file);
        if (!inserted) {
            std::string message = "scenario name ";
            message.append(quote(loaded->value.name)).append(" is already used by ").append(first->second);
            message.append("; expected a name unique across all scenario files");
            result.errors.push_back({loaded->name_where, std::move(message)});
            continue;
        }
        result.scenarios.push_back(std::move(loaded->value));
    }

    if (!result.errors.empty()) {
        result.scenarios.clear();
        return result;
    }
    std::sort(result.scenarios.begin(), result.scenarios.end(),
              [](const scenario& a, const scenario& b) { return a.name < b.name; });
    return result;
}

}  // namespace teapot::detail::scenario

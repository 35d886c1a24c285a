#include "scenario/loader_body_file.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <system_error>

namespace teapot::detail::scenario {
namespace fs = std::filesystem;

namespace {

// Component-wise, so that /srv/scen does not contain /srv/scenarios-other.
bool is_strictly_inside(const fs::path& dir, const fs::path& target) {
    auto [dir_end, target_at] = std::mismatch(dir.begin(), dir.end(), target.begin(), target.end());
    if (dir_end != dir.end()) return false;
    // weakly_canonical may leave an empty last component for a trailing '/'.
    return std::any_of(target_at, target.end(), [](const fs::path& part) { return !part.empty(); });
}

std::string quoted(std::string_view text) {
    std::string out = "'";
    out.append(text).append("'");
    return out;
}

}  // namespace

std::string content_type_for(const fs::path& file) {
    std::string ext = file.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (ext == ".json") return "application/json";
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".txt") return "text/plain; charset=utf-8";
    if (ext == ".xml") return "application/xml";
    return "application/octet-stream";
}

std::optional<body_file_content> read_body_file(const fs::path& base_dir, std::string_view relative,
                                                std::string& error) {
    const fs::path rel{relative};
    if (relative.empty()) {
        error = "'body_file' must name a file relative to the scenario file's directory, not be empty";
        return std::nullopt;
    }
    if (rel.is_absolute() || rel.has_root_name() || rel.has_root_directory()) {
        error = "'body_file' must be a path relative to the scenario file's directory, not an absolute path like ";
        error.append(quoted(relative));
        return std::nullopt;
    }

    std::error_code ec;
    const fs::path dir = fs::weakly_canonical(base_dir.empty() ? fs::path{"."} : base_dir, ec);
    if (ec) {
        error = "cannot resolve the scenario file's directory for 'body_file' ";
        error.append(quoted(relative)).append(": ").append(ec.message());
        return std::nullopt;
    }
    // Resolves `..` and every symlink that exists, so neither can lead outside.
    const fs::path target = fs::weakly_canonical(dir / rel, ec);
    if (ec) {
        error = "cannot resolve 'body_file' ";
        error.append(quoted(relative)).append(": ").append(ec.message());
        return std::nullopt;
    }
    if (!is_strictly_inside(dir, target)) {
        error = "'body_file' ";
        error.append(quoted(relative))
            .append(" leads outside the scenario file's directory (to ")
            .append(target.string())
            .append("); body files must stay inside it");
        return std::nullopt;
    }

    auto status = fs::status(target, ec);
    if (ec || !fs::exists(status)) {
        error = "cannot read 'body_file' ";
        error.append(quoted(relative)).append(": no such file");
        return std::nullopt;
    }
    if (!fs::is_regular_file(status)) {
        error = "cannot read 'body_file' ";
        error.append(quoted(relative)).append(": not a regular file");
        return std::nullopt;
    }
    auto size = fs::file_size(target, ec);
    if (!ec && size > max_body_file_size) {
        error = "'body_file' ";
        error.append(quoted(relative)).append(" is larger than the 64 MiB limit for body files");
        return std::nullopt;
    }

    std::ifstream in{target, std::ios::binary};
    if (!in.is_open()) {
        error = "cannot read 'body_file' ";
        error.append(quoted(relative)).append(": cannot open it (check its permissions)");
        return std::nullopt;
    }
    std::string body{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    if (in.bad()) {
        error = "cannot read 'body_file' ";
        error.append(quoted(relative)).append(": read failed");
        return std::nullopt;
    }
    return body_file_content{std::move(body), content_type_for(target)};
}

}  // namespace teapot::detail::scenario

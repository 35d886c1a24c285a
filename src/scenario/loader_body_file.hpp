#pragma once
// `body_file:` — a file next to the scenario, read once at load and confined
// to the scenario file's directory.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::detail::scenario {

/// A body file may not be larger than this: it is held in memory for the server's lifetime.
inline constexpr std::uintmax_t max_body_file_size = 64 * 1024 * 1024;

struct body_file_content {
    std::string body;
    std::string content_type;
};

/// Reads `relative` under `base_dir`. It must be a relative path that stays inside
/// `base_dir` once `..` and symlinks are resolved. On failure returns nullopt and
/// sets `error` to a sentence saying why.
std::optional<body_file_content> read_body_file(const std::filesystem::path& base_dir, std::string_view relative,
                                                std::string& error);

/// The Content-Type for a file name, from its extension (case-insensitive).
std::string content_type_for(const std::filesystem::path& file);

}  // namespace teapot::detail::scenario

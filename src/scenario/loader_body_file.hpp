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

/// How the path is opened beneath the directory. `automatic`: openat2 with RESOLVE_BENEATH
/// (Linux 5.6), which follows relative symlinks that stay inside, and `walk` where the kernel
/// or a seccomp profile refuses openat2. `walk`: one component at a time with O_NOFOLLOW, so
/// every symlink is refused (chosen directly by tests only).
enum class body_file_resolver { automatic, walk };

/// Reads `relative` under `base_dir` through one descriptor, opened without leaving
/// `base_dir` at any step of the resolution (so a file swapped for a symlink between
/// two loads is refused, never followed out), and read with the size cap applied while
/// reading. It must be a relative path to a regular file. On failure returns nullopt and
/// sets `error` to a sentence saying why.
std::optional<body_file_content> read_body_file(const std::filesystem::path& base_dir, std::string_view relative,
                                                std::string& error,
                                                body_file_resolver how = body_file_resolver::automatic);

/// The Content-Type for a file name, from its extension (case-insensitive).
std::string content_type_for(const std::filesystem::path& file);

}  // namespace teapot::detail::scenario

#include "scenario/loader_body_file.hpp"

#include "util/ascii.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>
#include <utility>
#include <vector>

namespace teapot::detail::scenario {
namespace fs = std::filesystem;

namespace {

// A descriptor, closed on every way out.
class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) : fd_(fd) {}
    unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& other) noexcept {
        if (this != &other) reset(std::exchange(other.fd_, -1));
        return *this;
    }
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    ~unique_fd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }

private:
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }
    int fd_ = -1;
};

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

// O_NONBLOCK: opening a FIFO would otherwise wait for a writer, and hang the load; a regular
// file reads the same with it.
constexpr int file_flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

// Why the open failed.
struct open_failure {
    int code = 0;          ///< errno
    bool symlink = false;  ///< the walk met a symlink
    bool walked = false;   ///< openat2 was unavailable: the walk ran
};

// openat2 beneath `dir`. Nothing when the call itself is refused: ENOSYS before Linux 5.6,
// EPERM (or ENOSYS) from a seccomp profile that does not know it.
std::optional<unique_fd> open_with_openat2(int dir, const std::string& relative, open_failure& why) {
    open_how how{};
    how.flags = static_cast<std::uint64_t>(file_flags);
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    for (int attempt = 0;; ++attempt) {
        const long fd = ::syscall(SYS_openat2, dir, relative.c_str(), &how, sizeof how);
        if (fd >= 0) return unique_fd{static_cast<int>(fd)};
        // EAGAIN: a rename raced the resolution of a `..`, and the kernel asks for another try.
        if (errno == EINTR || (errno == EAGAIN && attempt < 16)) continue;
        if (errno == ENOSYS || errno == EPERM) return std::nullopt;
        why.code = errno;
        return unique_fd{};
    }
}

// One component at a time from `dir`, each opened with O_NOFOLLOW from the one before: a
// symlink anywhere is refused, and `..` returns to a descriptor already held, so the walk
// never rises above `dir` whatever is renamed meanwhile.
unique_fd open_by_walking(int dir, std::string_view relative, open_failure& why) {
    why.walked = true;
    std::vector<std::string> parts;
    for (std::size_t at = 0; at <= relative.size();) {
        const auto slash = std::min(relative.find('/', at), relative.size());
        const auto part = relative.substr(at, slash - at);
        if (!part.empty() && part != ".") parts.emplace_back(part);
        at = slash + 1;
    }
    std::vector<unique_fd> entered;  // the directories walked into, innermost last
    auto current = [&] { return entered.empty() ? dir : entered.back().get(); };
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const auto& part = parts[i];
        if (part == "..") {
            if (entered.empty()) {
                why.code = EXDEV;
                return {};
            }
            entered.pop_back();
            continue;
        }
        const bool last = i + 1 == parts.size();
        const int flags = last ? file_flags | O_NOFOLLOW : O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
        const int fd = ::openat(current(), part.c_str(), flags);
        if (fd < 0) {
            why.code = errno;
            struct stat link {};
            if ((errno == ELOOP || errno == ENOTDIR) &&
                ::fstatat(current(), part.c_str(), &link, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(link.st_mode))
                why.symlink = true;
            return {};
        }
        if (last) return unique_fd{fd};
        entered.emplace_back(fd);
    }
    // The path ends with `..` (or is only `.`): it names a directory, which fstat then refuses.
    const int fd = ::openat(current(), ".", file_flags);
    if (fd < 0) why.code = errno;
    return unique_fd{fd};
}

std::string open_error(const fs::path& dir, std::string_view relative, const open_failure& why) {
    std::string error;
    if (why.symlink) {
        error = "'body_file' ";
        error.append(quoted(relative))
            .append(
                " goes through a symlink, and symlinks are not followed on this system (openat2, Linux 5.6, is "
                "unavailable or refused by a seccomp profile); expected a regular file inside the scenario "
                "file's directory");
        return error;
    }
    if (why.code == EXDEV) {
        // Only for the message: the open itself never followed anything out.
        std::error_code ec;
        const fs::path canonical_dir = fs::weakly_canonical(dir, ec);
        const fs::path target = fs::weakly_canonical(dir / fs::path{relative}, ec);
        error = "'body_file' ";
        error.append(quoted(relative));
        if (ec || !is_strictly_inside(canonical_dir, target))
            error.append(" leads outside the scenario file's directory (to ")
                .append(target.string())
                .append("); body files must stay inside it");
        else
            error.append(
                " leaves the scenario file's directory on its way (through an absolute symlink, or a link "
                "out and back in); body files must stay inside it, and only relative symlinks that stay "
                "inside are followed");
        return error;
    }
    error = "cannot read 'body_file' ";
    error.append(quoted(relative)).append(": ");
    switch (why.code) {
        case ENOENT: error.append("no such file"); break;
        case ENOTDIR: error.append("a part of its path is not a directory"); break;
        case EACCES: error.append("cannot open it (check its permissions)"); break;
        case ENXIO: error.append("not a regular file"); break;
        case ELOOP: error.append("too many symlinks on the way, or a /proc magic link"); break;
        default: error.append(std::system_category().message(why.code)); break;
    }
    return error;
}

}  // namespace

std::string content_type_for(const fs::path& file) {
    const std::string ext = ascii_lower(file.extension().string());
    if (ext == ".json") return "application/json";
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".txt") return "text/plain; charset=utf-8";
    if (ext == ".xml") return "application/xml";
    return "application/octet-stream";
}

std::optional<body_file_content> read_body_file(const fs::path& base_dir, std::string_view relative, std::string& error,
                                                body_file_resolver how) {
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

    // The check and the read go through descriptors: a path checked, then opened again by
    // name, could be swapped for a symlink in between (163 of 1 868 reloads served the
    // outside file that way).
    const fs::path dir_path = base_dir.empty() ? fs::path{"."} : base_dir;
    const unique_fd dir{::open(dir_path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC)};
    if (!dir) {
        error = "cannot open the scenario file's directory for 'body_file' ";
        error.append(quoted(relative)).append(": ").append(std::system_category().message(errno));
        return std::nullopt;
    }
    open_failure why;
    unique_fd file;
    const std::string relative_text{relative};
    if (auto opened =
            how == body_file_resolver::automatic ? open_with_openat2(dir.get(), relative_text, why) : std::nullopt)
        file = std::move(*opened);
    else
        file = open_by_walking(dir.get(), relative, why);
    if (!file) {
        error = open_error(dir_path, relative, why);
        return std::nullopt;
    }

    struct stat st {};
    if (::fstat(file.get(), &st) != 0) {
        error = "cannot read 'body_file' ";
        error.append(quoted(relative)).append(": ").append(std::system_category().message(errno));
        return std::nullopt;
    }
    if (!S_ISREG(st.st_mode)) {
        error = "cannot read 'body_file' ";
        error.append(quoted(relative)).append(": not a regular file");
        return std::nullopt;
    }
    auto too_large = [&] {
        error = "'body_file' ";
        error.append(quoted(relative)).append(" is larger than the 64 MiB limit for body files");
        return std::nullopt;
    };
    if (static_cast<std::uintmax_t>(st.st_size) > max_body_file_size) return too_large();

    // The cap holds while reading: a file that grows after fstat is refused at one byte past it.
    constexpr auto cap = static_cast<std::size_t>(max_body_file_size);
    std::string body(static_cast<std::size_t>(st.st_size) + 1, '\0');  // one more: growth shows
    std::size_t got = 0;
    for (;;) {
        if (got == body.size()) {
            if (body.size() > cap) return too_large();
            body.resize(std::min(body.size() * 2, cap + 1));
        }
        const auto n = ::read(file.get(), body.data() + got, body.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = "cannot read 'body_file' ";
            error.append(quoted(relative)).append(": read failed (").append(std::system_category().message(errno));
            error.append(")");
            return std::nullopt;
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    body.resize(got);
    // Typed by the name written: the descriptor does not say where a symlink led.
    return body_file_content{std::move(body), content_type_for(rel)};
}

}  // namespace teapot::detail::scenario

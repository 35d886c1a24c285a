#include "cli/tls_files.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace teapot::cli {
namespace {

// A PEM chain of a few certificates is a few KiB: a larger file is a mistake, not a certificate.
constexpr std::uintmax_t largest_pem_file = 1024 * 1024;

std::string read_pem(const char* flag, const std::string& path) {
    if (path.empty()) return {};
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) throw std::runtime_error(std::string{"cannot read "} + flag + " " + path + ": " + ec.message());
    if (size > largest_pem_file)
        throw std::runtime_error(std::string{"cannot read "} + flag + " " + path +
                                 ": larger than 1 MiB, not a PEM file");
    std::ifstream in{path, std::ios::binary};
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) throw std::runtime_error(std::string{"cannot read "} + flag + " " + path + ": " + std::strerror(errno));
    return text.str();
}

}  // namespace

void read_tls_files(const tls_files& files, tls_options& tls) {
    tls.ca_certificate_pem = read_pem("--tls-ca-cert", files.ca_certificate);
    tls.ca_key_pem = read_pem("--tls-ca-key", files.ca_key);
    tls.certificate_pem = read_pem("--tls-cert", files.certificate);
    tls.key_pem = read_pem("--tls-key", files.key);
}

namespace {

// `pem` to `path` through a temporary file created with `mode`, renamed over it.
void write_whole(const std::string& path, const std::string& pem, const char* flag, mode_t mode) {
    const auto temporary = path + ".tmp";
    const auto failed = [&](const std::string& why) {
        return std::runtime_error(std::string{"cannot write "} + flag + " " + path + ": " + why);
    };
    ::unlink(temporary.c_str());  // O_EXCL below: never through a file or link someone else left
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) throw failed(std::strerror(errno));
    std::size_t written = 0;
    while (written < pem.size()) {
        const auto n = ::write(fd, pem.data() + written, pem.size() - written);
        if (n < 0) {
            const int saved = errno;
            ::close(fd);
            ::unlink(temporary.c_str());
            throw failed(std::strerror(saved));
        }
        written += static_cast<std::size_t>(n);
    }
    ::fchmod(fd, mode);  // the umask narrowed the creation mode; this is the mode meant
    if (::close(fd) != 0 || ::rename(temporary.c_str(), path.c_str()) != 0) {
        const int saved = errno;
        ::unlink(temporary.c_str());
        throw failed(std::strerror(saved));
    }
}

}  // namespace

void write_ca_certificate(const std::string& path, const std::string& pem) {
    write_whole(path, pem, "--ca-out", 0644);  // a certificate is public: every client's user may read it
}

void write_private_pem(const std::string& path, const std::string& pem, const char* flag) {
    write_whole(path, pem, flag, 0600);
}

}  // namespace teapot::cli

#include "cli/tls_files.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <sys/stat.h>

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

void write_ca_certificate(const std::string& path, const std::string& pem) {
    const auto temporary = path + ".tmp";
    {
        std::ofstream out{temporary, std::ios::binary | std::ios::trunc};
        out << pem;
        out.close();
        if (!out) throw std::runtime_error("cannot write --ca-out " + path + ": " + std::strerror(errno));
    }
    ::chmod(temporary.c_str(), 0644);  // a certificate is public: every client's user may read it
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        std::filesystem::remove(temporary, ec);
        throw std::runtime_error("cannot write --ca-out " + path + ": " + ec.message());
    }
}

}  // namespace teapot::cli

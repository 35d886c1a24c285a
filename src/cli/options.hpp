#pragma once
// The command line: `teapot [serve] [flags]`, `teapot codes`, `--version`, `--help`.

#include <teapot/options.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace teapot::cli {

enum class command { serve, codes, check, version, help };

/// Files the TLS flags name: read (or, for the outputs, written) by main, not by the parser.
struct tls_files {
    std::string ca_certificate;   ///< --tls-ca-cert
    std::string ca_key;           ///< --tls-ca-key
    std::string certificate;      ///< --tls-cert
    std::string key;              ///< --tls-key
    std::string ca_out;           ///< --ca-out: where the CA certificate is written at start
    std::string client_cert_out;  ///< --client-cert-out: a client certificate and its key (mode 0600)
};

struct options {
    command what = command::serve;
    server_options server;
    std::string log_level = "info";
    bool quiet = false;
    std::vector<std::string> check_paths;  ///< `teapot check PATH...`
    tls_files tls;
};

/// A bad flag or value; main prints it with the usage and exits 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Parses argv (without the program name). Throws usage_error.
options parse_options(const std::vector<std::string_view>& args);

std::string_view usage() noexcept;
/// Two lines for a bad command line, after its reason: the forms, and where every option is listed.
std::string_view short_usage() noexcept;

}  // namespace teapot::cli

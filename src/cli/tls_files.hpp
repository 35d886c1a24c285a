#pragma once
// The files the TLS flags name: certificates and keys read before the server starts,
// and the CA certificate written once it has (--ca-out).

#include "cli/options.hpp"

#include <teapot/options.hpp>

#include <string>

namespace teapot::cli {

/// Reads the PEM files `files` names into `tls`. Throws std::runtime_error naming the
/// flag and the file when one cannot be read or is larger than a PEM file can be (1 MiB).
void read_tls_files(const tls_files& files, tls_options& tls);

/// Writes `pem` to `path` whole or not at all (a temporary file renamed over it), so a
/// client that waits for the file never reads half of it. Throws std::runtime_error.
void write_ca_certificate(const std::string& path, const std::string& pem);

/// As write_ca_certificate, for a certificate with its private key: mode 0600 from the
/// start (the temporary file is created so), never readable by another user.
void write_private_pem(const std::string& path, const std::string& pem, const char* flag);

}  // namespace teapot::cli

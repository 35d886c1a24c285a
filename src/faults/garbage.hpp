#pragma once
// The bytes of the garbage fault: seeded random data that no client can take
// for a response (docs/faults.md).

#include <cstddef>
#include <cstdint>
#include <string>

namespace teapot::detail {

/// `n` bytes from a stream seeded with `seed`: the same seed gives the same
/// bytes. Never starts with 'H', so never with "HTTP/" nor a part of it.
std::string garbage_bytes(std::size_t n, std::uint64_t seed);

/// A TLS 1.2+ application data record (type 23, version 0x0303) of 64 random bytes, which
/// no key decrypts: the tls-bad-record fault's, written on the socket beneath TLS.
std::string undecryptable_tls_record();

}  // namespace teapot::detail

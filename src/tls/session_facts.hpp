#pragma once
// What a finished handshake settled, for the journal: SNI, version, cipher,
// ALPN and the client certificate's names.

#include <teapot/journal.hpp>

typedef struct ssl_st SSL;

namespace teapot::detail::tls {

/// Read from `ssl` after its handshake. A client certificate's names are cut at 1 KiB
/// each: the client chooses them, and every request of the connection is journalled with them.
tls_facts facts_of(const SSL* ssl);

}  // namespace teapot::detail::tls

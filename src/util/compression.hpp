#pragma once
// Compression by the real libraries, as httpbin's /gzip, /deflate and /brotli use
// them: zlib (gzip and zlib wrappers) and brotli's encoder.

#include <string>
#include <string_view>

namespace teapot::detail {

/// A gzip member (RFC 1952) of `data` at zlib level `level` (httpbin's GzipFile uses 4).
std::string gzip_compress(std::string_view data, int level);

/// A zlib stream (RFC 1950) of `data` at zlib's default level, as Python's zlib.compressobj().
std::string zlib_compress(std::string_view data);

/// A brotli stream (RFC 7932) of `data` at `quality` (brotli.compress's default is 11), window 22.
std::string brotli_compress(std::string_view data, int quality);

}  // namespace teapot::detail

#include "util/compression.hpp"

#include <brotli/encode.h>
#include <zlib.h>

#include <stdexcept>

namespace teapot::detail {
namespace {

// One deflate of the whole input: windowBits 15 for a zlib stream, 31 for gzip (RFC 1952's
// header from zlib: mtime 0, where Python writes the time of day).
std::string deflate_all(std::string_view data, int level, int window_bits) {
    z_stream z{};
    if (deflateInit2(&z, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("zlib could not start a stream");
    std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int result = deflate(&z, Z_FINISH);
    const auto written = z.total_out;
    deflateEnd(&z);
    if (result != Z_STREAM_END) throw std::runtime_error("zlib could not compress the body");
    out.resize(written);
    return out;
}

}  // namespace

std::string gzip_compress(std::string_view data, int level) { return deflate_all(data, level, 15 + 16); }

std::string zlib_compress(std::string_view data) { return deflate_all(data, Z_DEFAULT_COMPRESSION, 15); }

std::string brotli_compress(std::string_view data, int quality) {
    std::size_t size = BrotliEncoderMaxCompressedSize(data.size());
    std::string out(size == 0 ? data.size() + 1024 : size, '\0');
    if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, data.size(),
                               reinterpret_cast<const std::uint8_t*>(data.data()), &size,
                               reinterpret_cast<std::uint8_t*>(out.data())))
        throw std::runtime_error("brotli could not compress the body");
    out.resize(size);
    return out;
}

}  // namespace teapot::detail

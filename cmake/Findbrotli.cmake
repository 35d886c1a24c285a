# Finds brotli's encoder as brotli::encoder (httpbin's /brotli: src/handlers/httpbin/encodings.cpp),
# from the pkg-config file Debian 12's libbrotli-dev ships (it has no CMake package). Installed
# beside teapotConfig.cmake, so that a project linking the static teapot library finds it too.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_BROTLIENC QUIET IMPORTED_TARGET libbrotlienc)
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(brotli REQUIRED_VARS PC_BROTLIENC_LINK_LIBRARIES
  FAIL_MESSAGE "brotli's encoder not found: install libbrotli-dev and pkg-config (Debian)")
if(brotli_FOUND AND NOT TARGET brotli::encoder)
  add_library(brotli::encoder INTERFACE IMPORTED)
  target_link_libraries(brotli::encoder INTERFACE PkgConfig::PC_BROTLIENC)
endif()

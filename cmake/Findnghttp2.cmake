# Finds nghttp2 as nghttp2::nghttp2 (HTTP/2's frames: src/wire/h2_session.cpp), from the
# pkg-config file Debian 12's libnghttp2-dev ships (it has no CMake package). Installed beside
# teapotConfig.cmake, so that a project linking the static teapot library finds it too.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_NGHTTP2 QUIET IMPORTED_TARGET libnghttp2)
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(nghttp2 REQUIRED_VARS PC_NGHTTP2_LINK_LIBRARIES
  FAIL_MESSAGE "nghttp2 not found: install libnghttp2-dev and pkg-config (Debian)")
if(nghttp2_FOUND AND NOT TARGET nghttp2::nghttp2)
  add_library(nghttp2::nghttp2 INTERFACE IMPORTED)
  target_link_libraries(nghttp2::nghttp2 INTERFACE PkgConfig::PC_NGHTTP2)
endif()

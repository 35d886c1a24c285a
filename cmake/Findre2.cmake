# Finds RE2 as re2::re2. RE2's own CMake package when there is one (upstream
# installs re2Config.cmake); otherwise its pkg-config file, which is all that
# Debian 12's libre2-dev ships. Installed beside teapotConfig.cmake, so that a
# project linking the static teapot library finds RE2 the same way.
find_package(re2 CONFIG QUIET)
if(re2_FOUND AND TARGET re2::re2)
  set(re2_FOUND TRUE)
  return()
endif()
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_RE2 QUIET IMPORTED_TARGET re2)
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(re2 REQUIRED_VARS PC_RE2_LINK_LIBRARIES
  FAIL_MESSAGE "RE2 not found: install libre2-dev and pkg-config (Debian), or RE2 with its CMake package")
if(re2_FOUND AND NOT TARGET re2::re2)
  add_library(re2::re2 INTERFACE IMPORTED)
  target_link_libraries(re2::re2 INTERFACE PkgConfig::PC_RE2)
endif()

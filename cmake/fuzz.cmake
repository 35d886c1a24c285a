# TEAPOT_FUZZ: the libFuzzer build (fuzz/). Clang only: libFuzzer ships with
# clang (Debian: clang-14, libclang-rt-14-dev), not with g++. Everything this
# project compiles gets the fuzzer's coverage instrumentation and ASan+UBSan;
# the fuzz targets themselves link libFuzzer's main (fuzz/CMakeLists.txt).
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "TEAPOT_FUZZ needs clang (libFuzzer): configure with CXX=clang++-14, not ${CMAKE_CXX_COMPILER_ID}")
endif()
if(NOT TEAPOT_SANITIZE STREQUAL "")
  message(FATAL_ERROR "TEAPOT_FUZZ brings its own sanitizers: leave TEAPOT_SANITIZE empty")
endif()
# -fno-sanitize-recover: a UB report is a crash the fuzzer keeps, not a line it scrolls past.
# _GLIBCXX_ASSERTIONS: std::string and std::vector check their indexes (no ABI change).
# -O1 after the build type's flags: fast enough to fuzz, and a Debug build keeps assert().
# -fno-sanitize=function: clang 14 cannot emit UBSan's function-type check in C++20
# coroutines ("error: Cannot represent a difference across sections" in the Asio
# coroutine files); the rest of UBSan stays on.
# -gline-tables-only: a crash report needs file and line, not types; it compiles faster than -g.
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function
                    -fno-sanitize-recover=undefined -fno-omit-frame-pointer -D_GLIBCXX_ASSERTIONS -O1 -gline-tables-only)
add_link_options(-fsanitize=address,undefined)

# Compiler flags for teapot's own targets only, never for a project that adds
# teapot as a subdirectory: warnings, and the TEAPOT_SANITIZE switch.
set(TEAPOT_SANITIZE "" CACHE STRING "Sanitizers to build with: address (ASan+UBSan), thread, or empty")
if(NOT TEAPOT_SANITIZE MATCHES "^(address|thread|)$")
  message(FATAL_ERROR "TEAPOT_SANITIZE must be address, thread or empty, not '${TEAPOT_SANITIZE}'")
endif()

function(teapot_target_flags target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wconversion)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # clang's -Wconversion also turns on -Wsign-conversion, which g++'s does not in C++: the same set on both.
    target_compile_options(${target} PRIVATE -Wno-sign-conversion)
  endif()
  if(TEAPOT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(NOT TEAPOT_SANITIZE STREQUAL "")
    # Asio keeps freed coroutine frames and handler memory in a per-thread cache
    # and hands them out again: a sanitizer would never see that memory freed,
    # so a use-after-free of a frame would go unnoticed. Under a sanitizer every
    # frame and handler goes back to malloc/free. (This also keeps g++ 12 from a
    # false -Wmismatched-new-delete at -O1: it pairs the aligned_alloc inlined
    # from the recycling operator new with the frame's own operator delete.)
    target_compile_definitions(${target} PRIVATE BOOST_ASIO_DISABLE_AWAITABLE_FRAME_RECYCLING
                                                 BOOST_ASIO_DISABLE_SMALL_BLOCK_RECYCLING)
    # The instrumented code misleads g++ 12's flow analysis: it reports "may be used
    # uninitialized" inside libstdc++'s <regex>. The Release build keeps the warning
    # (with -Werror in CI) on the same code.
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized -fno-omit-frame-pointer)
  endif()
  if(TEAPOT_SANITIZE STREQUAL "address")
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  elseif(TEAPOT_SANITIZE STREQUAL "thread")
    # -Wno-tsan: g++ warns that TSan does not model atomic_thread_fence, which
    # Asio's fenced blocks use around handler calls. Asio hands work between
    # threads through its mutex-guarded queues, which TSan does see; a race
    # that only a fence would order would still be reported at run time.
    target_compile_options(${target} PRIVATE -fsanitize=thread -Wno-tsan)
    target_link_options(${target} PRIVATE -fsanitize=thread)
  endif()
endfunction()

# Warnings for teapot's own targets, and the sanitizer switch.
function(teapot_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
  if(TEAPOT_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

if(NOT TEAPOT_SANITIZE STREQUAL "")
  # Asio keeps freed coroutine frames and handler memory in a per-thread cache
  # and hands them out again: a sanitizer would never see that memory freed,
  # so a use-after-free of a frame would go unnoticed. Under a sanitizer every
  # frame and handler goes back to malloc/free. (This also keeps g++ 12 from a
  # false -Wmismatched-new-delete at -O1: it pairs the aligned_alloc inlined
  # from the recycling operator new with the frame's own operator delete.)
  add_compile_definitions(BOOST_ASIO_DISABLE_AWAITABLE_FRAME_RECYCLING BOOST_ASIO_DISABLE_SMALL_BLOCK_RECYCLING)
  # The instrumented code misleads g++ 12's flow analysis: it reports "may be used
  # uninitialized" inside libstdc++'s <regex>. The Release build keeps the warning
  # (with -Werror in CI) on the same code.
  add_compile_options(-Wno-maybe-uninitialized)
endif()
if(TEAPOT_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(TEAPOT_SANITIZE STREQUAL "thread")
  # -Wno-tsan: g++ warns that TSan does not model atomic_thread_fence, which
  # Asio's fenced blocks use around handler calls. Asio hands work between
  # threads through its mutex-guarded queues, which TSan does see; a race
  # that only a fence would order would still be reported at run time.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
  add_link_options(-fsanitize=thread)
elseif(NOT TEAPOT_SANITIZE STREQUAL "")
  message(FATAL_ERROR "TEAPOT_SANITIZE must be address, thread or empty, not '${TEAPOT_SANITIZE}'")
endif()

#pragma once
// One answer's JSON values in a buffer on the stack, freed all at once when the answer is
// written: an echo makes dozens of small allocations (keys, strings, object tables) that
// glibc's malloc then consolidates. Past the buffer the arena takes from the heap.

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/storage_ptr.hpp>

namespace teapot::detail::httpbin {

class json_arena {
public:
    json_arena() = default;
    json_arena(const json_arena&) = delete;
    json_arena& operator=(const json_arena&) = delete;

    /// Values made with it live until the arena goes (a non-owning pointer).
    boost::json::storage_ptr storage() noexcept { return &resource_; }

private:
    unsigned char buffer_[16 * 1024];  // room for an echo of a few KiB; more comes from the heap
    boost::json::monotonic_resource resource_{buffer_, sizeof buffer_};
};

}  // namespace teapot::detail::httpbin

// An exception thrown by a handler costs that handler only: the I/O thread runs on
// (issue 13: Beast threw from inside a read's handler and the process ended).

#include "wire/io_pool.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/post.hpp>

#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

using namespace teapot::detail;

TEST_CASE("io_pool: a handler that throws is reported and its thread runs on", "[io_pool]") {
    io_pool pool{1};
    std::mutex m;
    std::vector<std::string> errors;
    pool.run([&](std::string_view what) {
        std::lock_guard lock{m};
        errors.emplace_back(what);
    });
    net::post(pool.first(), [] { throw std::length_error("field value too large"); });
    std::promise<void> ran;
    net::post(pool.first(), [&] { ran.set_value(); });
    REQUIRE(ran.get_future().wait_for(std::chrono::seconds{5}) == std::future_status::ready);
    pool.stop();
    REQUIRE(errors.size() == 1);
    CHECK(errors.front().find("field value too large") != std::string::npos);
}

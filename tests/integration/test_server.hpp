#pragma once
// A real teapot server on 127.0.0.1:0 for one test case; teardown is the destructor.

#include <teapot/server.hpp>

namespace teapot::test {

inline server_options test_options() {
    server_options o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    o.seed = 42;
    return o;
}

struct test_server {
    server srv;
    explicit test_server(server_options o = test_options()) : srv(std::move(o)) { srv.start(); }
    std::uint16_t port() const { return srv.port(); }
};

}  // namespace teapot::test

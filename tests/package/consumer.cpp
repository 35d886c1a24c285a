// Starts an embedded teapot on an ephemeral port and stops it: exit 0 when it worked.
#include <teapot/catalog.hpp>
#include <teapot/server.hpp>

#include <iostream>

int main() {
    teapot::server_options options;
    options.port = 0;
    teapot::server server{options};
    server.start();
    bool ok = server.port() != 0 && teapot::find_status(418) != nullptr;
    server.stop();
    std::cout << "teapot " << teapot::version() << (ok ? " found and running" : " broken") << "\n";
    return ok ? 0 : 1;
}

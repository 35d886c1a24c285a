// The teapot command: parse flags, set up logging, run the server until
// SIGINT or SIGTERM, stop it gracefully and exit 0.

#include "cli/check.hpp"
#include "cli/codes_table.hpp"
#include "cli/logging.hpp"
#include "cli/options.hpp"
#include "cli/tls_files.hpp"

#include <teapot/server.hpp>

#include <spdlog/logger.h>

#include <pthread.h>
#include <sys/resource.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>

namespace {

// Every connection holds a descriptor, a hanging or delayed one for as long as its fault
// lasts, and the usual soft limit (1024) is far below --max-connections: take the whole
// hard limit (nginx's worker_rlimit_nofile raises it to a number it is given).
void raise_open_file_limit(spdlog::logger& log) {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
    const auto was = limit.rlim_cur;
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) == 0)
        log.debug("open files: soft limit raised from {} to {}", was, limit.rlim_cur);
    else
        log.warn("open files: the soft limit stays at {}: {}", was, std::strerror(errno));
}

int serve(teapot::cli::options& o) {
    // Block the signals before any thread starts, so that only sigwait sees them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    o.server.logger = teapot::cli::make_logger(o.server.format, o.log_level, o.quiet);
    raise_open_file_limit(*o.server.logger);
    teapot::cli::read_tls_files(o.tls, o.server.tls);
    teapot::server server{o.server};
    server.start();
    // Written before the ready lines: a client that waits for them finds the file.
    if (!o.tls.ca_out.empty()) {
        if (server.ca_pem().empty())
            throw std::runtime_error(
                "--ca-out: no CA to write, --tls-cert serves your own certificate (add "
                "--tls-ca-cert and --tls-ca-key to name its CA)");
        teapot::cli::write_ca_certificate(o.tls.ca_out, server.ca_pem());
    }
    if (!o.tls.client_cert_out.empty())
        teapot::cli::write_private_pem(o.tls.client_cert_out, server.client_certificate_pem(), "--client-cert-out");
    // One line per listener, plain HTTP's first: a script reads the first for http://.
    if (o.server.plain_http) std::cout << "teapot listening on " << server.url() << "\n";
    // --tls-on-plain-port alone: the same port again, as https://, for a script that looks for one.
    if (o.server.tls.port || o.server.tls.on_plain_port)
        std::cout << "teapot listening on " << server.tls_url() << "\n";
    for (const auto& c : server.tls_cases()) std::cout << "teapot tls case " << c.name << " " << c.url << "\n";
    std::cout << std::flush;

    // SIGHUP reloads the scenarios (the server logs the outcome); SIGINT and SIGTERM stop.
    int received = 0;
    while (sigwait(&signals, &received) == 0 && received == SIGHUP) server.reload_scenarios();
    o.server.logger->info(received == SIGINT ? "SIGINT: stopping" : "SIGTERM: stopping");
    server.stop();
    o.server.logger->flush();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    teapot::cli::options o;
    try {
        o = teapot::cli::parse_options(args);
    } catch (const teapot::cli::usage_error& e) {
        // The reason first, then three lines: the whole usage would scroll it away.
        std::cerr << "teapot: " << e.what() << "\n" << teapot::cli::short_usage();
        return 2;
    }
    switch (o.what) {
        case teapot::cli::command::help: std::cout << teapot::cli::usage(); return 0;
        case teapot::cli::command::version: std::cout << "teapot " << teapot::version() << "\n"; return 0;
        case teapot::cli::command::codes: teapot::cli::print_codes(std::cout); return 0;
        case teapot::cli::command::check: return teapot::cli::check_scenarios(o.check_paths, std::cout, std::cerr);
        case teapot::cli::command::serve: break;
    }
    try {
        return serve(o);
    } catch (const teapot::scenario_error& e) {
        std::cerr << "teapot: invalid scenarios:\n";
        for (const auto& error : e.errors()) std::cerr << "  " << error << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "teapot: " << e.what() << "\n";
        return 1;
    }
}

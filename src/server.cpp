// The public server: wires the io_pool, the listener, the shared session
// configuration and the connection tracker together, and owns their lifetimes.

#include <teapot/server.hpp>

#include "admin/journal.hpp"
#include "http/connection_tracker.hpp"
#include "http/file_watcher.hpp"
#include "http/io_pool.hpp"
#include "http/listener.hpp"
#include "http/session.hpp"
#include "scenario/registry.hpp"
#include "util/random_source.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <stdexcept>
#include <thread>

namespace teapot {

std::string_view version() noexcept { return TEAPOT_VERSION; }

namespace {

detail::tcp::endpoint resolve_endpoint(const std::string& host, std::uint16_t port) {
    boost::system::error_code ec;
    auto address = detail::net::ip::make_address(host, ec);
    if (!ec) return {address, port};
    // A name such as "localhost": resolved once, at start-up.
    detail::net::io_context ctx;
    detail::tcp::resolver resolver{ctx};
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) throw std::runtime_error("cannot resolve host '" + host + "': " + ec.message());
    return results.begin()->endpoint();
}

std::string error_lines(const detail::scenario::load_result& loaded) {
    std::string lines;
    for (const auto& e : loaded.errors) lines.append("\n  ").append(e.to_string());
    return lines;
}

}  // namespace

struct server::impl {
    server_options options;
    // Declaration order is destruction order in reverse: the pool (and the
    // sessions its contexts still hold) goes first, then what sessions use.
    detail::random_source random;
    detail::journal requests;
    std::unique_ptr<detail::scenario::registry> scenarios;
    std::shared_ptr<detail::file_watcher> watcher;
    detail::connection_tracker tracker;
    std::shared_ptr<const detail::session_config> config;
    std::unique_ptr<detail::io_pool> pool;
    std::shared_ptr<detail::listener> listener;
    bool stopped = false;

    explicit impl(server_options o) : options(std::move(o)), random(options.seed), requests(options.journal_size) {}
};

server::server(server_options options) : impl_(std::make_unique<impl>(std::move(options))) {}

server::~server() { stop(); }

void server::start() {
    auto& o = impl_->options;
    if (!o.scenario_paths.empty()) {
        // An invalid scenario file stops the start, with every error it has.
        detail::scenario::player_limits limits;
        limits.seed = o.seed;  // --seed drives the draws of scenarios without their own seed
        impl_->scenarios = std::make_unique<detail::scenario::registry>(o.scenario_paths, limits);
        auto loaded = impl_->scenarios->reload().loaded;
        if (!loaded.ok()) throw std::runtime_error("invalid scenarios:" + error_lines(loaded));
    }

    auto config = std::make_shared<detail::session_config>(detail::session_config{
        o.request_limits,
        detail::handler_context{o.max_delay, &impl_->random, impl_->scenarios.get(), &impl_->requests,
                                detail::admin_settings{o.admin, o.admin_token}, o.debug_headers},
        detail::server_log{o.logger, o.format},
        "teapot/" + std::string{version()},
    });
    impl_->config = config;
    unsigned threads = o.threads ? o.threads : std::max(1u, std::thread::hardware_concurrency());
    // Bind before anything is kept: a failed start() leaves nothing to stop.
    auto pool = std::make_unique<detail::io_pool>(threads);
    auto listener = std::make_shared<detail::listener>(*pool, resolve_endpoint(o.host, o.port), config, impl_->tracker);
    impl_->pool = std::move(pool);
    impl_->listener = std::move(listener);
    impl_->listener->start();
    if (impl_->scenarios && o.watch_scenarios) {
        // Hot reload: a changed file is re-parsed and swapped in; a broken edit keeps the previous set.
        // The parse runs on the first I/O thread: `teapot check scenarios` takes under 10 ms with
        // process start-up (2026-11-25); a much larger set would deserve a thread of its own.
        impl_->watcher = std::make_shared<detail::file_watcher>(impl_->pool->first(), o.scenario_paths,
                                                                [this] { reload_scenarios(); });
        impl_->watcher->start();
    }
    impl_->pool->run();
}

std::vector<std::string> server::reload_scenarios() {
    if (!impl_->scenarios) return {};
    auto [loaded, changes] = impl_->scenarios->reload();
    const auto& log = impl_->config->log;
    if (!loaded.ok()) {
        log.warn("scenario reload failed; the previous scenarios keep serving:" + error_lines(loaded));
        std::vector<std::string> errors;
        for (const auto& e : loaded.errors) errors.push_back(e.to_string());
        return errors;
    }
    std::string names;
    for (const auto& s : loaded.scenarios) names.append(names.empty() ? "" : ", ").append(s.name);
    log.info("scenarios reloaded: " + names + "; " + changes.to_string());
    return {};
}

std::uint16_t server::port() const noexcept { return impl_->listener ? impl_->listener->port() : 0; }

const std::string& server::host() const noexcept { return impl_->options.host; }

void server::stop() {
    if (!impl_->pool || impl_->stopped) return;
    impl_->stopped = true;
    impl_->listener->stop();
    if (impl_->watcher) impl_->watcher->stop();
    // In-flight responses finish within the grace period; whatever remains is
    // cut when the contexts stop. This waits on the caller's thread, never on
    // an I/O thread; the drain is repeated for a connection accepted meanwhile.
    auto deadline = std::chrono::steady_clock::now() + impl_->options.shutdown_grace;
    for (int round = 0; impl_->tracker.count() > 0 && std::chrono::steady_clock::now() < deadline; ++round) {
        if (round % 20 == 0) impl_->tracker.for_each([](detail::session& s) { s.drain(); });
        std::this_thread::sleep_for(std::chrono::milliseconds{5});
    }
    impl_->pool->stop();
    // I/O objects must go before their io_context: drop our references; the
    // coroutine frames holding the last ones die with the pool.
    impl_->watcher.reset();
    impl_->listener.reset();
    impl_->pool.reset();
}

}  // namespace teapot

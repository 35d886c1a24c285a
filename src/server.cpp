// The public server: wires the io_pool, the listener, the shared connection
// configuration and the connection tracker together, and owns their lifetimes.

#include <teapot/server.hpp>

#include "handlers/httpbin/prefix.hpp"
#include "journal/journal.hpp"
#include "journal/metrics.hpp"
#include "journal/operations.hpp"
#include "scenario/registry.hpp"
#include "tls/cases.hpp"
#include "tls/server_identity.hpp"
#include "tls/sni_selection.hpp"
#include "util/ascii.hpp"
#include "util/random_source.hpp"
#include "wire/connection.hpp"
#include "wire/connection_tracker.hpp"
#include "wire/file_watcher.hpp"
#include "wire/io_pool.hpp"
#include "wire/listener.hpp"
#include "wire/tls_case_listeners.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/host_name.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <set>
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

std::string joined(const std::vector<std::string>& errors) {
    std::string text;
    for (const auto& e : errors) text.append(text.empty() ? "" : "\n").append(e);
    return text;
}

// One I/O thread per core but one: a mock server shares its machine with the client
// under test (the measurements: docs/design.md, "Threads"). --threads N overrides it.
unsigned default_io_threads() {
    const unsigned cores = std::thread::hardware_concurrency();
    return cores > 1 ? cores - 1 : 1;
}

// Compared with a URI's decoded host: lower case, an IPv6 literal without its brackets.
std::vector<std::string> redirect_hosts(std::vector<std::string> hosts) {
    for (auto& h : hosts) {
        h = detail::ascii_lower(h);
        if (h.size() > 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    }
    return hosts;
}

std::vector<std::string> error_list(const detail::scenario::load_result& loaded) {
    std::vector<std::string> errors;
    for (const auto& e : loaded.errors) errors.push_back(e.to_string());
    return errors;
}

}  // namespace

scenario_error::scenario_error(std::vector<std::string> errors)
    : std::invalid_argument(joined(errors)), errors_(std::move(errors)) {}

struct server::impl {
    server_options options;
    // Declaration order is destruction order in reverse: the pool (and the
    // connections its contexts still hold) goes first, then what connections use.
    detail::random_source random;
    detail::journal requests;
    detail::metrics counters;
    std::unique_ptr<detail::scenario::registry> scenarios;
    std::shared_ptr<detail::file_watcher> watcher;
    detail::connection_tracker tracker;
    std::shared_ptr<const detail::connection_config> config;
    std::shared_ptr<detail::tls::sni_selection> sni;  ///< the main TLS context's callback reads it: outlives the pool
    std::unique_ptr<detail::io_pool> pool;
    std::shared_ptr<detail::listener> listener;                     ///< plain HTTP; null when plain_http is off
    std::shared_ptr<detail::listener> tls_listener;                 ///< HTTPS; null without tls.port
    std::vector<std::shared_ptr<detail::listener>> case_listeners;  ///< tls.cases, in tls_cases()'s order
    std::string ca_pem;
    std::string client_pem;  ///< tls.cases: a client certificate and its key, issued by the CA
    /// Shared with the handlers (GET /__teapot/tls); filled once the cases are bound, before any request.
    std::shared_ptr<std::vector<tls_case_listing>> tls_cases = std::make_shared<std::vector<tls_case_listing>>();
    bool stopped = false;

    std::vector<std::shared_ptr<detail::listener>> all_listeners() const {
        std::vector<std::shared_ptr<detail::listener>> all = case_listeners;
        for (const auto& l : {listener, tls_listener})
            if (l) all.push_back(l);
        return all;
    }

    explicit impl(server_options o)
        : options(std::move(o)),
          random(options.seed),
          requests(detail::journal_limits{options.journal_size, options.journal_bytes, options.journal_body_bytes,
                                          options.journal_fields, options.journal_field_bytes,
                                          options.journal_page_bytes}) {}
};

server::server(server_options options) : impl_(std::make_unique<impl>(std::move(options))) {}

server::~server() { stop(); }

void server::start() {
    auto& o = impl_->options;
    if (o.request_limits.max_header_bytes > limits::header_bytes_ceiling)
        throw std::invalid_argument("max_header_bytes is at most " + std::to_string(limits::header_bytes_ceiling) +
                                    " (a header field is held in 64 KiB), not " +
                                    std::to_string(o.request_limits.max_header_bytes));
    if (o.request_limits.max_body_memory < o.request_limits.max_body_bytes)
        throw std::invalid_argument("max_body_memory (" + std::to_string(o.request_limits.max_body_memory) +
                                    ") must hold one body of max_body_bytes (" +
                                    std::to_string(o.request_limits.max_body_bytes) + ")");
    if (auto why = detail::httpbin::prefix_problem(o.httpbin_prefix); !o.httpbin_prefix.empty() && !why.empty())
        throw std::invalid_argument("httpbin_prefix '" + o.httpbin_prefix + "' " + why);
    detail::scenario::player_limits limits;
    limits.seed = impl_->random.seed();  // --seed, or the one drawn: scenarios without their own draw from it
    limits.session_ttl = o.session_ttl;
    limits.max_sessions = o.max_sessions;
    limits.max_regex_work = o.max_regex_work;
    limits.quota = std::make_shared<detail::scenario::quota_budget>(o.max_quota_bytes);
    // Always there, with or without paths: scenarios may also be loaded at run time.
    impl_->scenarios = std::make_unique<detail::scenario::registry>(o.scenario_paths, limits, o.max_scenario_bytes);
    // An invalid scenario file stops the start, with every error it has.
    const auto case_names = detail::tls::tls_case_names();
    impl_->scenarios->set_tls_cases(case_names, std::nullopt);  // any case, until the files say which
    auto loaded = impl_->scenarios->reload().loaded;
    if (!loaded.ok()) throw scenario_error(error_list(loaded));
    // The TLS cases the scenario files name are served as --tls-cases serves all of them.
    std::set<std::string> declared_cases;
    std::vector<std::string> declared_where;
    for (const auto& sc : loaded.scenarios)
        for (const auto& c : sc.tls_cases) {
            declared_cases.insert(c.name);
            declared_where.push_back(
                detail::scenario::load_error{c.where, "tls_cases names TLS case '" + c.name +
                                                          "', which needs HTTPS: start with --tls-port or "
                                                          "--tls-on-plain-port (tls.port, tls.on_plain_port)"}
                    .to_string());
        }

    if (!o.plain_http && !o.tls.port)
        throw std::invalid_argument("plain HTTP is off and no HTTPS port is set: nothing would be served");
    if (!o.plain_http && o.tls.on_plain_port)
        throw std::invalid_argument("tls.on_plain_port needs the plain HTTP port, which plain_http turns off");
    const bool serves_tls = o.tls.port || o.tls.on_plain_port;
    if (!declared_where.empty() && !serves_tls) throw scenario_error(declared_where);
    // Minted before anything serves: GET /__teapot/ca.pem reads the CA from the handlers' context.
    auto identity = serves_tls ? detail::tls::identity_for(o.tls, o.host) : detail::tls::listener_identity{};
    impl_->ca_pem = identity.ca_certificate_pem;
    auto config = std::make_shared<detail::connection_config>(detail::connection_config{
        o.request_limits, std::make_shared<detail::body_budget>(o.request_limits.max_body_memory),
        detail::handler_context{o.max_delay, &impl_->random, impl_->scenarios.get(), &impl_->requests,
                                detail::admin_settings{o.admin, o.admin_token}, o.debug_headers, &impl_->counters,
                                [&tracker = impl_->tracker] { return tracker.count(); },
                                redirect_hosts(o.allowed_redirect_hosts), o.strict_knobs, impl_->ca_pem,
                                impl_->tls_cases},
        detail::server_log{o.logger, o.format}, "teapot/" + std::string{version()},
        nullptr,  // plain HTTP; the HTTPS listener's copy has its context
    });
    config->handlers.tls_alerts = o.tls.alerts;
    config->http2 = o.http2;
    config->http2_max_streams = o.http2_max_streams;
    config->handlers.httpbin = {o.httpbin, o.httpbin_prefix};
    if (o.httpbin_real_hostname) config->handlers.httpbin.hostname = boost::asio::ip::host_name();
    impl_->config = config;
    // HTTPS connections read the same configuration, and the listener's TLS context besides.
    // One context for the HTTPS port and the plain one's TLS connections: the same certificate and tickets.
    detail::tls::context_settings served_settings;
    served_settings.traffic_secrets = o.tls.alerts;
    served_settings.http2 = o.http2;
    auto tls_context = serves_tls ? std::make_shared<detail::net::ssl::context>(
                                        detail::tls::make_server_context(identity.serve, served_settings))
                                  : nullptr;
    std::shared_ptr<detail::connection_config> tls_config;
    if (o.tls.port) {
        tls_config = std::make_shared<detail::connection_config>(*config);
        tls_config->tls = tls_context;
    }
    if (o.tls.on_plain_port) config->tls_by_first_byte = tls_context;
    unsigned threads = o.threads ? o.threads : default_io_threads();
    // Bind before anything is kept: a failed start() leaves nothing to stop.
    auto pool = std::make_unique<detail::io_pool>(threads);
    std::shared_ptr<detail::listener> listener, tls_listener;
    if (o.plain_http)
        listener = std::make_shared<detail::listener>(*pool, resolve_endpoint(o.host, o.port), config, impl_->tracker);
    if (tls_config)
        tls_listener = std::make_shared<detail::listener>(*pool, resolve_endpoint(o.host, *o.tls.port), tls_config,
                                                          impl_->tracker);
    const bool binds_cases = o.tls.cases || !declared_cases.empty();
    auto cases = binds_cases ? detail::bind_tls_cases(*pool, resolve_endpoint(o.host, 0), o.host, identity, *config,
                                                      impl_->tracker, o.tls.cases ? nullptr : &declared_cases)
                             : detail::case_listeners{};
    impl_->scenarios->set_tls_cases(
        case_names, o.tls.cases ? std::set<std::string>(case_names.begin(), case_names.end()) : declared_cases);
    impl_->pool = std::move(pool);
    impl_->listener = std::move(listener);
    impl_->tls_listener = std::move(tls_listener);
    impl_->case_listeners = std::move(cases.listeners);
    *impl_->tls_cases = std::move(cases.listing);
    if (cases.by_name) {
        impl_->sni = std::move(cases.by_name);
        impl_->sni->attach(*tls_context);  // before the pool runs: no handshake has begun
    }
    if (binds_cases) {
        const auto client = detail::tls::make_client_certificate(identity.ca);
        impl_->client_pem = client.certificate_pem + client.key_pem;
    }
    for (const auto& l : impl_->all_listeners()) l->start();
    if (!o.scenario_paths.empty() && o.watch_scenarios) {
        // Hot reload: a changed file is re-parsed and swapped in; a broken edit keeps the previous set.
        // The parse runs on the first I/O thread: `teapot check scenarios` takes under 10 ms with
        // process start-up (2026-11-25); a much larger set would deserve a thread of its own.
        impl_->watcher = std::make_shared<detail::file_watcher>(impl_->pool->first(), o.scenario_paths,
                                                                [this] { reload_scenarios(); });
        impl_->watcher->start();
    }
    impl_->pool->run([log = config->log](std::string_view what) { log.warn(what); });
    std::vector<std::string> names;
    for (const auto& s : loaded.scenarios) names.push_back(s.name);
    config->log.started(url(), tls_url(), seed(), names);
}

std::vector<std::string> server::reload_scenarios() {
    if (!impl_->scenarios) return {};
    const auto result = impl_->scenarios->reload();
    const auto& loaded = result.loaded;
    const auto& log = impl_->config->log;
    if (!loaded.ok()) {
        log.warn("scenario reload failed; the previous scenarios keep serving:" + error_lines(loaded));
        return error_list(loaded);
    }
    std::string names;
    for (const auto& s : loaded.scenarios) names.append(names.empty() ? "" : ", ").append(s.name);
    log.info("scenarios reloaded: " + names + "; " + result.changes.to_string());
    return {};
}

namespace {

detail::scenario::registry& started(const std::unique_ptr<detail::scenario::registry>& scenarios) {
    if (!scenarios) throw std::logic_error("teapot::server: call start() first");
    return *scenarios;
}

}  // namespace

void server::load_scenario(std::string_view yaml) {
    auto result = started(impl_->scenarios).load_text(yaml, "scenario text", std::nullopt);
    if (!result.loaded.ok()) throw scenario_error(error_list(result.loaded));
}

void server::load_scenario_file(const std::string& path) {
    std::ifstream in{path, std::ios::binary};
    if (!in) throw scenario_error({path + ": cannot read this scenario file (check that it exists and is readable)"});
    std::string text{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    auto result = started(impl_->scenarios).load_text(text, path, std::filesystem::path{path}.parent_path());
    if (!result.loaded.ok()) throw scenario_error(error_list(result.loaded));
}

bool server::remove_scenario(std::string_view name) { return started(impl_->scenarios).remove(std::string{name}); }

void server::reset(std::optional<std::string> scenario, std::optional<std::string> session) {
    if (auto why = detail::reset(scenario, session, &started(impl_->scenarios), impl_->requests))
        throw std::invalid_argument(*why);
}

void server::set_state(std::string_view scenario, std::string_view session, std::optional<std::string> state) {
    if (!started(impl_->scenarios).set_state(std::string{scenario}, std::string{session}, std::move(state)))
        throw std::invalid_argument("no loaded scenario is named " + std::string{scenario});
}

std::vector<recorded_request> server::requests(request_filter filter) const {
    if (auto why = detail::resolve_route(filter, impl_->scenarios.get())) throw std::invalid_argument(*why);
    return impl_->requests.entries(filter);
}

void server::clear_requests() { impl_->requests.clear(); }

bool server::wait_for(request_filter filter, std::size_t count, milliseconds timeout) const {
    if (auto why = detail::resolve_route(filter, impl_->scenarios.get())) throw std::invalid_argument(*why);
    // Counted by the journal as entries complete; an I/O thread only notifies, once the count is reached.
    std::mutex m;
    std::condition_variable changed;
    bool reached = false;
    auto registration = impl_->requests.wait(filter, count, [&] {
        std::lock_guard lock{m};
        reached = true;
        changed.notify_all();
    });
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        // Read without holding m: the notification takes m under the journal's lock.
        if (registration.served() >= count) return true;
        std::unique_lock lock{m};
        if (!changed.wait_until(lock, deadline, [&] { return reached; })) return false;
        reached = false;  // a reset may have taken the count back down since: read it again
    }
}

namespace {

verification verdict_of(detail::verify_outcome outcome) {
    if (!outcome.invalid_rules.empty()) throw scenario_error(std::move(outcome.invalid_rules));
    if (outcome.error) throw std::invalid_argument(*outcome.error);
    return std::move(outcome.verdict);
}

}  // namespace

verification server::verify_expectations(std::optional<std::string> session,
                                         std::optional<std::string> scenario) const {
    return verdict_of(
        detail::verify({std::move(session), std::move(scenario), {}}, impl_->scenarios.get(), impl_->requests));
}

verification server::verify(std::string_view rules, std::optional<std::string> session,
                            std::optional<std::string> scenario) const {
    if (rules.empty())
        throw std::invalid_argument("no rules to verify; for the scenarios' own, call verify_expectations()");
    return verdict_of(detail::verify({std::move(session), std::move(scenario), std::string{rules}},
                                     impl_->scenarios.get(), impl_->requests));
}

std::uint64_t server::seed() const noexcept { return impl_->random.seed(); }

namespace {

std::string url_of(std::string_view scheme, const std::string& host, std::uint16_t port) {
    const bool v6 = host.find(':') != std::string::npos;
    return std::string{scheme} + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

std::string server::url() const {
    if (!impl_->listener && impl_->tls_listener) return tls_url();
    return url_of("http", impl_->options.host, port());
}

std::string server::tls_url() const { return tls_port() ? url_of("https", impl_->options.host, tls_port()) : ""; }

std::uint16_t server::port() const noexcept {
    if (impl_->listener) return impl_->listener->port();
    return tls_port();
}

std::uint16_t server::tls_port() const noexcept {
    if (impl_->tls_listener) return impl_->tls_listener->port();
    // --tls-on-plain-port alone: HTTPS on the plain port.
    return impl_->listener && impl_->options.tls.on_plain_port ? impl_->listener->port() : 0;
}

const std::string& server::ca_pem() const noexcept { return impl_->ca_pem; }

const std::vector<tls_case_listing>& server::tls_cases() const noexcept { return *impl_->tls_cases; }

const std::string& server::client_certificate_pem() const noexcept { return impl_->client_pem; }

const std::string& server::host() const noexcept { return impl_->options.host; }

void server::stop() {
    if (!impl_->pool || impl_->stopped) return;
    impl_->stopped = true;
    for (const auto& l : impl_->all_listeners()) l->stop();
    if (impl_->watcher) impl_->watcher->stop();
    // In-flight responses finish within the grace period; whatever remains is cut
    // when the contexts stop. This waits on the caller's thread, never on an I/O
    // thread, and is woken when the last connection ends; one accepted meanwhile
    // (the acceptor closes on its own thread) drains as it starts.
    impl_->tracker.drain_all();
    impl_->tracker.wait_until_empty(std::chrono::steady_clock::now() + impl_->options.shutdown_grace);
    impl_->pool->stop();
    // I/O objects must go before their io_context: drop our references; the
    // coroutine frames holding the last ones die with the pool.
    impl_->watcher.reset();
    impl_->listener.reset();
    impl_->tls_listener.reset();
    impl_->case_listeners.clear();
    impl_->pool.reset();
}

}  // namespace teapot

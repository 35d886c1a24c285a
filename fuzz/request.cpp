// Fuzz target: a raw byte stream from a client, as one connection would carry
// it: Beast's request parser with the server's limits, the session's checks on
// the head, route_before_body for an early answer, route() for each request
// (pipelined ones in order), the journal and the metrics, and the heads
// serialised as plan_writer does. No sockets and no timers: delays are not
// waited, the admin API's wait is answered at once.
// Promises checked: nothing crashes, hangs or leaks, and every head teapot
// would send parses back as one well-formed HTTP/1.1 response head.

#include "plan/request.hpp"
#include "admin/admin_handler.hpp"
#include "fuzz_check.hpp"
#include "handlers/error_plan.hpp"
#include "handlers/handler_context.hpp"
#include "journal/journal.hpp"
#include "journal/journal_record.hpp"
#include "journal/metrics.hpp"
#include "router/router.hpp"
#include "scenario/registry.hpp"
#include "util/random_source.hpp"
#include "wire/head_bytes.hpp"
#include "wire/request_checks.hpp"
#include "wire/request_view.hpp"

#include <teapot/options.hpp>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace http = boost::beast::http;
using namespace teapot::detail;

namespace {

// One scenario that reaches most of the player: captures, query, header and JSON
// body matches, templates, isolation, states, quotas, one_of, faults and pass.
constexpr std::string_view fuzz_scenario = R"(
name: fuzz
isolate_by: header X-Test-Id
seed: 7
routes:
  - id: orders
    match: { method: [GET, POST], path: "/api/orders/{id}", query: { page: "~^[0-9]+$" } }
    limit: { requests: 2, per: 1s }
    steps:
      - status: 503
        headers: { Retry-After: "1" }
      - status: 200
        template: true
        headers: { X-Order: "{{request.path.id}}", X-Page: "{{request.query.page}}", X-Id: "{{uuid}}" }
        body: "order {{request.path.id}} for {{request.header.User-Agent}} at {{now +30s}}"
        set_state: seen
        times: forever
    then: loop
  - id: payments
    match: { method: POST, path: /api/payments, body: { json: { currency: "EUR" } } }
    steps:
      - status: 201
        template: true
        times: forever
        headers: { Location: "/api/payments/{{request.json.currency}}-{{request.json.amount}}" }
        json: { amount: "{{request.json.amount}}", card: "**** {{request.json.card.last4}}", s: "{{session}}" }
  - id: seen
    match: { path: "~^/api/.*$", headers: { Accept: "~json" } }
    when_state: seen
    steps:
      - { status: 100, interim: [103] }
      - one_of:
          - { weight: 3, status: 200, json: { ok: true } }
          - { weight: 1, status: 429 }
          - { weight: 1, fault: { truncate: 4B, end: reset }, body: "truncated body" }
        times: forever
  - id: upload
    match: { method: PUT, path: /upload, body: { regex: "^[a-z]+$" } }
    steps:
      - { status: 413, fault: early-response, times: 2 }
      - { status: 204, times: forever }
    then: pass
)";

// The server's defaults (teapot::limits), so that the parser refuses what a server would.
const teapot::limits server_limits{};

// As a session sees a request from a loopback client.
request client_request(const request_parser& parser) {
    auto r = view_of(parser);
    r.peer = "127.0.0.1:40000";
    r.from_loopback = true;
    return r;
}

// A head as plan_writer writes it, parsed back by Beast's response parser.
void check_wire_head(const message_head& head, const head_framing& framing) {
    teapot::fuzz::check_head(head);
    std::string bytes;
    append_head(bytes, head, "teapot/fuzz", framing);
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // the head only: a body, if any, is not part of these bytes
    // Not Beast's 8 KiB default: a head may echo a request field (Origin) up to the request's 16 KiB.
    parser.header_limit(1024 * 1024);
    boost::beast::error_code ec;
    auto used = parser.put(boost::asio::buffer(bytes), ec);
    teapot::fuzz::check(!ec && parser.is_header_done() && used == bytes.size(),
                        "a response head that does not parse back", ec.message() + "\n" + bytes);
    teapot::fuzz::check(static_cast<int>(parser.get().result_int()) == head.status, "the status changed on the wire");
}

void check_plan_on_wire(const response_plan& plan, bool keep_alive, unsigned version) {
    if (plan.action != response_plan::kind::respond) {
        teapot::fuzz::check_plan(plan);
        return;
    }
    for (const auto& interim : plan.interim) check_wire_head(interim, {});
    head_framing framing;
    framing.connection = !keep_alive ? "close" : version == 10 ? "keep-alive" : "";
    if (plan.fault.what == fault::kind::bad_chunk)
        framing.chunked = true;
    else if (plan.body_framing == framing::content_length)
        framing.content_length = plan.body.size();
    check_wire_head(plan.final_head, framing);
}

// Shared across inputs: loading the scenario is the costly part. Each input starts
// from a reset player; an input that may have changed the set (the admin API's
// scenario endpoints) gets a fresh registry for the next one.
class fixture {
public:
    scenario::registry& registry() {
        if (!registry_ || dirty_) {
            scenario::player_limits limits;
            limits.seed = 1;
            registry_ = std::make_unique<scenario::registry>(std::vector<std::string>{}, limits);
            auto loaded = registry_->load_text(fuzz_scenario, "fuzz-scenario", std::nullopt).loaded;
            teapot::fuzz::check(loaded.ok(), "the fuzz target's own scenario does not load",
                                loaded.ok() ? "" : loaded.errors.front().to_string());
            dirty_ = false;
        }
        registry_->reset(std::nullopt, std::nullopt);
        return *registry_;
    }
    void may_have_changed(const request& req) {
        if (req.method != "GET" && req.method != "HEAD" && req.target.find("__teapot") != std::string_view::npos)
            dirty_ = true;
    }

private:
    std::unique_ptr<scenario::registry> registry_;
    bool dirty_ = false;
};

// One whole request: what the session does between reading it and writing. True when
// the connection would carry on to the next request.
bool answer(const request& req, const handler_context& ctx, bool keep_alive) {
    auto plan = route(req, ctx);
    if (plan.action == response_plan::kind::wait_for_requests)
        plan = wait_result(req, *plan.wait, ctx.journal->count_served(plan.wait->filter));
    std::optional<std::uint64_t> entry;
    if (plan.journaled) {
        // As the session records: filled aside, then swapped into the ring.
        static auto scratch = std::make_unique<journal_entry>();
        if (!scratch) scratch = std::make_unique<journal_entry>();
        fill_journal_entry(*scratch, req, plan, std::chrono::system_clock::now(), ctx.journal->limits());
        entry = ctx.journal->record(scratch);
    }
    check_plan_on_wire(plan, keep_alive && !plan.close_after, req.version);
    if (entry) ctx.journal->complete(*entry, plan.final_head.status, std::nullopt, std::chrono::system_clock::now());
    ctx.counters->count(plan.final_head.status, plan.origin.scenario, plan.origin.route, {}, req.version);
    return keep_alive && plan.action == response_plan::kind::respond && !plan.close_after && !plan.fault.active();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static fixture shared;
    random_source random{42};
    journal requests{journal_limits{.entries = 64}};
    metrics counters;
    handler_context ctx;
    ctx.random = &random;
    ctx.scenarios = &shared.registry();
    ctx.journal = &requests;
    ctx.counters = &counters;
    ctx.admin.enabled = true;

    std::string_view in{reinterpret_cast<const char*>(data), size};
    // Pipelined requests, one at a time, in order, while the connection would stay open.
    for (int n = 0; n < 64 && !in.empty(); ++n) {
        // As connection::skip_empty_lines: CRLFs before a request line are dropped.
        while (in.starts_with("\r\n")) in.remove_prefix(2);
        request_parser parser;
        parser.header_limit(static_cast<std::uint32_t>(server_limits.max_header_bytes));
        parser.trailer_limit(server_limits.max_header_bytes);
        parser.body_limit(server_limits.max_body_bytes);
        boost::beast::error_code ec;
        // The head first (the parser is not eager: it stops after the header).
        in.remove_prefix(parser.put(boost::asio::buffer(in.data(), in.size()), ec));
        if (ec == http::error::need_more) return 0;  // the client went quiet mid-head
        if (ec) {
            // 400, 413, 414, 431 or 505, then a lingering close, as the session answers.
            if (auto r = rejection_for_read_error(ec, parser, in, server_limits))
                teapot::fuzz::check_plan(error_plan(r->status, r->message, nullptr));
            return 0;
        }
        if (auto r = rejection_for_head(parser, server_limits)) {
            teapot::fuzz::check_plan(error_plan(r->status, r->message, nullptr));
            return 0;
        }
        if (!parser.is_done()) {
            auto head = client_request(parser);
            if (auto early = route_before_body(head, ctx)) {
                check_plan_on_wire(*early, false, head.version);
                return 0;  // answered before the body: the connection closes
            }
            parser.eager(true);
            while (!parser.is_done() && !in.empty()) {
                auto used = parser.put(boost::asio::buffer(in.data(), in.size()), ec);
                in.remove_prefix(used);
                if (ec == http::error::need_more && used == 0) break;
                if (ec && ec != http::error::need_more) {
                    if (auto r = rejection_for_read_error(ec, parser, in, server_limits))
                        teapot::fuzz::check_plan(error_plan(r->status, r->message, nullptr));
                    return 0;  // 400 or 413, then close
                }
                ec = {};
            }
            if (!parser.is_done()) return 0;  // the client went away mid-body
        }
        auto req = client_request(parser);
        shared.may_have_changed(req);
        if (!answer(req, ctx, parser.get().keep_alive() && !closes_after_answer(parser))) return 0;
    }
    return 0;
}

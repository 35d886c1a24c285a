#include "wire/h2_connection.hpp"

#include "admin/admin_handler.hpp"
#include "faults/answer_time.hpp"
#include "faults/fault_fit.hpp"
#include "faults/garbage.hpp"
#include "handlers/error_plan.hpp"
#include "journal/journal.hpp"
#include "router/router.hpp"
#include "util/duration.hpp"
#include "wire/exchange_record.hpp"
#include "wire/h2_answer.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/write.hpp>

#include <nghttp2/nghttp2.h>

#include <algorithm>

namespace teapot::detail {
using clock_type = std::chrono::steady_clock;

namespace {

constexpr std::size_t read_size = 8 * 1024;
constexpr std::size_t output_batch = 64 * 1024;  // frames taken from nghttp2 per write

// Clears a stream's wake callback when the waiter that set it leaves (its timer goes with it).
struct wake_guard {
    h2_stream& stream;
    ~wake_guard() { stream.wake = nullptr; }
};

}  // namespace

h2_connection::h2_connection(byte_stream& stream, io_deadline& write_deadline,
                             std::shared_ptr<const connection_config> config, h2_peer peer, std::shared_ptr<void> owner)
    : stream_(stream),
      write_deadline_(write_deadline),
      config_(std::move(config)),
      peer_(std::move(peer)),
      owner_(std::move(owner)),
      session_(h2_limits{config_->request_limits.max_header_bytes, config_->request_limits.max_header_fields,
                         config_->request_limits.max_body_bytes, config_->http2_max_streams},
               config_->bodies.get(), [this](std::shared_ptr<h2_stream> s) { on_request(std::move(s)); }),
      read_deadline_([this] { stream_.cancel(); }),
      writer_wake_(stream.get_executor()),
      pause_(stream.get_executor()) {
    session_.on_request_head([this](std::shared_ptr<h2_stream> s) { on_request_head(std::move(s)); });
    if (config_->withhold_settings_acks) session_.withhold_settings_acks();
}

h2_connection::~h2_connection() = default;

net::awaitable<void> h2_connection::run(std::string_view received, std::optional<h2_upgrade> upgrade) {
    using namespace boost::asio::experimental::awaitable_operators;
    const auto& limits = config_->request_limits;
    read_deadline_.watch(net::query(stream_.get_executor(), net::execution::context),
                         std::min({limits.idle_timeout, limits.body_timeout, limits.write_timeout}) / 4);
    upgrading_ = upgrade.has_value();
    if (upgrade && !session_.upgrade(std::move(*upgrade))) reading_done_ = true;
    upgrading_ = false;
    if (!reading_done_ && !session_.receive(reinterpret_cast<const unsigned char*>(received.data()), received.size()))
        reading_done_ = true;
    // However run() ends (an exception too), what was still open is the client's loss (499), and
    // the streams' waits end now rather than at their timers.
    struct end_streams {
        h2_connection& c;
        ~end_streams() {
            c.ended_ = true;
            c.read_deadline_.unwatch();
            try {
                c.session_.close_all(NGHTTP2_CANCEL);
            } catch (...) {  // a journal entry or a log line could not be written: nothing to do
            }
        }
    } ending{*this};
    flush();
    co_await (read_frames() && write_frames());
}

void h2_connection::drain() {
    if (draining_ || ended_) return;
    draining_ = true;
    session_.go_away(NGHTTP2_NO_ERROR);
    flush();
}

net::awaitable<void> h2_connection::read_frames() {
    auto buffer = std::make_unique<unsigned char[]>(read_size);
    while (!reading_done_) {
        rearm_reads();
        auto [ec, n] = co_await stream_.async_read_some(net::buffer(buffer.get(), read_size), use_tuple_awaitable);
        if (ec) {
            if (read_deadline_.expired()) {
                // Idle, or a request that stopped coming: GOAWAY says which streams were served.
                session_.go_away(NGHTTP2_NO_ERROR);
                config_->log.connection_event(peer_.connection_id, peer_.address, "HTTP/2 read timed out");
            }
            break;
        }
        const bool ok = session_.receive(buffer.get(), n);
        flush();
        if (!ok || !session_.alive()) break;
    }
    read_deadline_.clear();
    reading_done_ = true;
    writer_wake_.cancel();
    pause_.cancel();  // a paced head stops pausing: its client is gone
}

net::awaitable<void> h2_connection::write_frames() {
    for (;;) {
        if (output_sent_ == output_.size()) {
            output_.clear();
            output_sent_ = 0;
            take_output();
        }
        if (output_.empty()) {
            if (session_.pending_cut() != h2_session::cut::none) {
                co_await cut_connection();
                break;
            }
            if (reading_done_ || !session_.alive()) break;
            writer_wake_.expires_at(net::steady_timer::time_point::max());
            co_await writer_wake_.async_wait(use_tuple_awaitable);
            continue;
        }
        if (!marks_.empty() && output_sent_ == marks_.front().begin) {
            const auto mark = marks_.front();
            marks_.pop_front();
            if (!co_await write_marked(mark)) {
                reading_done_ = true;
                stream_.cancel();
                break;
            }
            continue;
        }
        writing_ = true;
        auto armed = write_deadline_.arm(config_->request_limits.write_timeout);
        auto [ec, n] = co_await net::async_write(
            stream_, net::buffer(output_.data() + output_sent_, unmarked_end() - output_sent_), use_tuple_awaitable);
        writing_ = false;
        if (ec) {
            reading_done_ = true;
            stream_.cancel();  // the client is gone or stalled: the reader ends too
            break;
        }
        output_sent_ += n;
    }
    if (!reading_done_) stream_.cancel();  // the session is over: the pending read ends
}

net::awaitable<bool> h2_connection::write_marked(const h2_write_mark& mark) {
    writing_ = true;  // flush() leaves output_ alone meanwhile
    struct done {
        bool& writing;
        ~done() { writing = false; }
    } leaving{writing_};
    const auto& limits = config_->request_limits;
    const auto max_delay = config_->handlers.max_delay;
    const auto must_end = clock_type::now() + max_answer_time(max_delay);  // as over HTTP/1.1 (fault_writer)
    std::string_view rest{output_.data() + mark.begin, mark.end - mark.begin};
    while (!rest.empty()) {
        const auto piece = mark.paced ? rest.substr(0, mark.paced->piece_length(rest)) : rest;
        {
            auto armed = write_deadline_.arm(limits.write_timeout);
            auto [ec, n] = co_await net::async_write(stream_, net::buffer(piece), use_tuple_awaitable);
            if (ec) co_return false;
        }
        output_sent_ += piece.size();
        rest.remove_prefix(piece.size());
        if (rest.empty()) break;
        const auto every = std::min(mark.paced->every, max_delay);
        if (reading_done_ || clock_type::now() + every > must_end) co_return false;  // gone, or out of time
        pause_.expires_after(every);
        co_await pause_.async_wait(use_tuple_awaitable);
    }
    if (mark.key_update_after) {
        auto armed = write_deadline_.arm(limits.write_timeout);
        if (co_await stream_.update_keys()) co_return false;
    }
    co_return true;
}

std::size_t h2_connection::unmarked_end() const noexcept {
    return marks_.empty() ? output_.size() : marks_.front().begin;
}

net::awaitable<void> h2_connection::cut_connection() {
    reading_done_ = true;
    auto armed = write_deadline_.arm(config_->request_limits.write_timeout);
    if (!garbage_.empty()) co_await net::async_write(stream_, net::buffer(garbage_), use_tuple_awaitable);
    switch (session_.pending_cut()) {
        case h2_cut::reset: stream_.reset(); break;  // SO_LINGER 0: an RST, whatever the client sent or was sent
        case h2_cut::fin_without_close_notify: stream_.close_without_close_notify(); break;
        case h2_cut::undecryptable_record:  // beneath TLS, on the socket: then the FIN, the client's alert unread
            co_await net::async_write(stream_.socket(), net::buffer(undecryptable_tls_record()), use_tuple_awaitable);
            stream_.close_without_close_notify();
            break;
        case h2_cut::tls_alert:  // after a fatal alert, nothing more (RFC 8446 §6.2)
            co_await stream_.send_tls_alert(session_.pending_cut_alert());
            stream_.close_without_close_notify();
            break;
        default: co_await stream_.shutdown_send();  // close_notify over TLS, then the FIN
    }
    stream_.cancel();  // the pending read ends
}

void h2_connection::flush() {
    if (writing_ || ended_) return;
    while (output_sent_ == output_.size()) {
        output_.clear();
        output_sent_ = 0;
        take_output();
        if (output_.empty()) break;
        beast::error_code ec;
        output_sent_ = stream_.write_now(net::buffer(output_.data(), unmarked_end()), ec);
        if (ec) {
            reading_done_ = true;
            stream_.cancel();
            return;
        }
    }
    // The rest, if the socket did not take it all, or the end: the writer's.
    if (output_sent_ < output_.size() || !session_.alive() || session_.pending_cut() != h2_session::cut::none)
        writer_wake_.cancel();
}

void h2_connection::take_output() {
    session_.take_output(output_, output_batch);
    session_.take_marks(marks_);
    rearm_reads();  // sending a stream's end closes it: the connection may be idle now
}

void h2_connection::rearm_reads() {
    // Each bound runs from when the client first owed, not from its last bytes: a client that
    // trickles (a window opened a byte at a time, content a byte at a time, PINGs) keeps reads
    // coming and must still end, as HTTP/1's write, body and idle timeouts end it.
    const auto& limits = config_->request_limits;
    const auto now = io_deadline::clock::now();
    if (session_.open_streams() == 0) {
        if (!idle_since_) idle_since_ = now;
        read_deadline_.hold_until(*idle_since_ + limits.idle_timeout);
        return;
    }
    idle_since_.reset();
    read_deadline_.hold_until(session_.owed_deadline(now, limits.body_timeout, limits.write_timeout));
}

request h2_connection::describe(const h2_stream& s) const {
    request r;
    r.method = s.method;
    r.target = s.path;
    r.version = 20;
    r.stream_id = static_cast<std::uint32_t>(s.id);
    r.headers.reserve(s.fields.size() + 1);
    // RFC 9113 §8.3.1: :authority stands for Host, which handlers and matchers read.
    const bool has_host =
        std::any_of(s.fields.begin(), s.fields.end(), [](const auto& f) { return f.first == "host"; });
    if (!has_host && !s.authority.empty()) r.headers.emplace_back("host", s.authority);
    for (const auto& [name, value] : s.fields) r.headers.emplace_back(name, value);
    for (const auto& [name, value] : s.trailer_fields) r.trailers.emplace_back(name, value);
    r.body = s.body;
    r.peer = peer_.address;
    r.from_loopback = peer_.from_loopback;
    r.tls = peer_.tls;
    return r;
}

void h2_connection::on_request(std::shared_ptr<h2_stream> s) {
    rearm_reads();
    const auto req = describe(*s);
    response_plan plan;
    if (s->refused_with) {
        plan = error_plan(s->refused_with, s->refusal, nullptr);
        if (s->refused_with == 503) plan.final_head.set("Retry-After", "1");
    } else {
        plan = route(req, config_->handlers);
    }
    if (plan.fault.what == fault::kind::settings_no_ack) {  // at once, even if the answer waits: SETTINGS come next
        if (upgrading_)
            session_.withhold_settings_acks();
        else
            plan = error_plan(400, settings_no_ack_misfit(), &req);
    }
    answer_now_or_later(std::move(s), req, std::move(plan));
}

void h2_connection::on_request_head(std::shared_ptr<h2_stream> s) {
    if (s->refused_with) return;  // refused once whole, as any request
    // An early response (fault early-response) is answered before the content, as over HTTP/1.1.
    const auto req = describe(*s);
    auto plan = route_before_body(req, config_->handlers);
    if (!plan) return;
    s->answered_early = true;
    answer_now_or_later(std::move(s), req, std::move(*plan));
}

void h2_connection::answer_now_or_later(std::shared_ptr<h2_stream> s, const request& req, response_plan plan) {
    const auto f = plan.fault.what;
    if (plan.delay.count() > 0 || plan.stream || plan.action == response_plan::kind::wait_for_requests ||
        f == fault::kind::hang || f == fault::kind::flow_stall || f == fault::kind::ping) {
        net::co_spawn(stream_.get_executor(), answer_later(std::move(s), req, std::move(plan)),
                      [self = shared_from_this()](std::exception_ptr failure) {
                          if (failure) self->config_->log.warn("an HTTP/2 stream's answer failed");
                      });
        return;
    }
    const auto entry = start_record(config_->handlers, req, plan, std::chrono::system_clock::now());
    answer(*s, std::make_shared<response_plan>(std::move(plan)), entry);
}

net::awaitable<void> h2_connection::answer_later(std::shared_ptr<h2_stream> s, request req, response_plan plan) {
    const auto started = clock_type::now();
    net::steady_timer timer(stream_.get_executor());
    s->wake = [&timer] { timer.cancel(); };
    wake_guard leaving{*s};
    if (plan.action == response_plan::kind::wait_for_requests) {
        const auto waiting = plan.wait;  // held: plan is replaced by the answer below
        const auto deadline = clock_type::now() + waiting->timeout;
        // The journal wakes this stream (its timer cancelled, on its executor) when the count is reached.
        auto wake = [weak = std::weak_ptr<h2_stream>(s), ex = stream_.get_executor()] {
            net::post(ex, [weak] {
                if (auto stream = weak.lock())
                    if (stream->wake) stream->wake();
            });
        };
        auto registration = config_->handlers.journal->wait(waiting->filter, waiting->count, std::move(wake));
        for (;;) {
            const auto served = registration.served();
            if (served >= waiting->count || clock_type::now() >= deadline || draining_) {
                plan = wait_result(req, *waiting, served);
                break;
            }
            timer.expires_at(deadline);
            co_await timer.async_wait(use_tuple_awaitable);
            if (s->closed) co_return;  // the client cancelled the stream, or left
        }
    }
    const auto entry = start_record(config_->handlers, req, plan, std::chrono::system_clock::now());
    auto client_left = [&] {
        if (!s->closed) return false;
        config_->log.access(
            {peer_.connection_id, s->method, s->path, 499, 0, elapsed_ms(started), peer_.address, fault_label(plan)});
        finish_record(config_->handlers, entry, plan, 20, 499, std::nullopt);
        return true;
    };
    if (plan.fault.what == fault::kind::ping) {
        // The PINGs, then the answer once every ack is back (the stream's wake), or the fault's wait has passed.
        session_.ping(*s, plan.fault.count);
        flush();
        const auto until = clock_type::now() + std::min(*plan.fault.hang_for, config_->handlers.max_delay);
        while (s->pings_acknowledged() < s->pings_sent && clock_type::now() < until && !s->closed) {
            timer.expires_at(until);
            co_await timer.async_wait(use_tuple_awaitable);
        }
        if (client_left()) co_return;
    }
    if (plan.delay.count() > 0) {
        timer.expires_after(std::min(plan.delay, config_->handlers.max_delay));
        co_await timer.async_wait(use_tuple_awaitable);
        if (client_left()) co_return;
    }
    auto shared = std::make_shared<response_plan>(std::move(plan));
    answer(*s, shared, entry);
    flush();
    if (const auto& f = shared->fault; f.what == fault::kind::hang || f.what == fault::kind::flow_stall) {
        // Nothing (hang), or the head and no DATA (flow_stall), until the fault's time or --max-delay: then
        // RST_STREAM(CANCEL), as HTTP/1's hang ends with the connection's close.
        const auto max_delay = config_->handlers.max_delay;
        timer.expires_after(std::min(f.hang_for.value_or(max_delay), max_delay));
        co_await timer.async_wait(use_tuple_awaitable);
        if (!s->closed) {
            session_.reset(*s, NGHTTP2_CANCEL);
            flush();
        }
        co_return;
    }
    const auto body = shared->body.view();
    if (!shared->stream || shared->omit_body || body.empty()) co_return;
    // Pacing: a piece, then a pause on this stream's timer; nghttp2 defers the DATA in between.
    std::size_t allowed = 0;
    for (;;) {
        allowed += shared->stream->piece_length(body.substr(allowed));
        session_.allow(*s, allowed);
        flush();
        if (allowed >= body.size() || s->closed) co_return;
        timer.expires_after(shared->stream->every);
        co_await timer.async_wait(use_tuple_awaitable);
        if (s->closed) co_return;
    }
}

void h2_connection::answer(h2_stream& s, std::shared_ptr<response_plan> plan, std::optional<std::uint64_t> entry) {
    const auto started = clock_type::now();
    const auto first_byte = std::chrono::system_clock::now();
    const bool silent = plan->action == response_plan::kind::close_silently;
    const bool http11_required = plan->action == response_plan::kind::http11_required;
    if (auto garbage = submit_plan(session_, s, *plan, config_->server_header); !garbage.empty())
        garbage_ = std::move(garbage);
    s.on_closed = [this, &s, plan = std::move(plan), entry, started, first_byte, silent, http11_required] {
        const bool head_sent = s.heads_sent > s.interim_heads;
        const bool client_gone = !s.reset_by_us && s.close_code != NGHTTP2_NO_ERROR && !silent && !http11_required;
        // 505: the answer asked for another version, as HTTP/1's access line would say; 444 when
        // a fault sent no response, 499 when the client left first.
        const int status = silent            ? 444
                           : http11_required ? 505
                           : client_gone     ? 499
                           : !head_sent      ? 444
                                             : logged_status(*plan, false);
        const bool reset_here = !head_sent;
        if (s.pings_sent && entry && config_->handlers.journal)
            config_->handlers.journal->note_pings(*entry, {s.pings_sent, s.pings_acknowledged()});
        config_->log.access({peer_.connection_id, s.method, s.path, status, s.sent, elapsed_ms(started), peer_.address,
                             fault_label(*plan)});
        finish_record(config_->handlers, entry, *plan, 20, status,
                      reset_here ? std::nullopt : std::optional{first_byte});
    };
}

}  // namespace teapot::detail

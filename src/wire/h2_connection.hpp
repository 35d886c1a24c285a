#pragma once
// One HTTP/2 connection (RFC 9113): h2 after ALPN on a TLS listener, h2c after the connection
// preface on a plain one. The HTTP/1 connection hands its byte stream over once it knows which
// (docs/design.md, "Where a TLS stream and an HTTP/2 engine plug in"). Frames are nghttp2's
// (wire/h2_session); each stream is routed as an HTTP/1 request is, and its delay, pacing and
// journal wait run on timers of its own, never holding another stream. docs/http2.md.

#include "wire/byte_stream.hpp"
#include "wire/connection.hpp"
#include "wire/h2_session.hpp"
#include "wire/io_deadline.hpp"
#include "wire/net.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace teapot::detail {

struct h2_peer {
    std::uint64_t connection_id = 0;
    std::string address;  ///< "address:port", for the journal and the log
    bool from_loopback = false;
    std::shared_ptr<const tls_facts> tls;  ///< null over h2c
};

class h2_connection : public std::enable_shared_from_this<h2_connection> {
public:
    /// Borrows `stream` and `write_deadline` from the connection that `owner` keeps alive.
    h2_connection(byte_stream& stream, io_deadline& write_deadline, std::shared_ptr<const connection_config> config,
                  h2_peer peer, std::shared_ptr<void> owner);
    ~h2_connection();

    /// Serves frames until the connection ends; `received`: what was read before (the preface);
    /// `upgrade`: the HTTP/1.1 request that asked for h2c, answered as stream 1.
    net::awaitable<void> run(std::string_view received, std::optional<h2_upgrade> upgrade = std::nullopt);
    /// GOAWAY: no new stream; the connection closes once the open ones are answered. On its executor.
    void drain();

private:
    net::awaitable<void> read_frames();
    net::awaitable<void> write_frames();
    /// A marked part of output_ (h2_wire_lies.hpp): a head paced (slow_headers), then a KeyUpdate
    /// if asked (tls-key-update). False: the connection must end (a write failed, the client
    /// left, or the answer's time, twice --max-delay, ran out).
    net::awaitable<bool> write_marked(const h2_write_mark& mark);
    /// Where output_'s plain writing stops: the next mark, else its end.
    std::size_t unmarked_end() const noexcept;
    /// A fault's cut of the whole connection (reset, close, garbage), once the frames before it are written.
    net::awaitable<void> cut_connection();
    /// Sends what nghttp2 has ready: at once when the socket takes it, else the writer goes on.
    void flush();
    /// A stream's request is whole: routed now, answered now unless it waits.
    void on_request(std::shared_ptr<h2_stream> s);
    /// A stream's head is whole and its content to come: an early response is answered now.
    void on_request_head(std::shared_ptr<h2_stream> s);
    /// `plan` for `s`: at once, or in answer_later when it waits (a delay, a journal wait) or trickles.
    void answer_now_or_later(std::shared_ptr<h2_stream> s, const request& req, response_plan plan);
    /// An answer that waits first (a delay, a journal wait) or trickles (pacing).
    /// `req` views into `s`, which the coroutine holds.
    net::awaitable<void> answer_later(std::shared_ptr<h2_stream> s, request req, response_plan plan);
    /// The plan's frames, submitted; the journal entry completes when the stream closes.
    void answer(h2_stream& s, std::shared_ptr<response_plan> plan, std::optional<std::uint64_t> entry);
    /// The request as the router sees it: views into `s`.
    request describe(const h2_stream& s) const;
    /// Appends nghttp2's next frames to output_.
    void take_output();
    /// The read deadline for what the streams wait for now (docs/http2.md, "Limits").
    void rearm_reads();

    byte_stream& stream_;
    io_deadline& write_deadline_;
    std::shared_ptr<const connection_config> config_;
    h2_peer peer_;
    std::shared_ptr<void> owner_;
    h2_session session_;
    io_deadline read_deadline_;
    std::string output_;               ///< frames taken from nghttp2, not yet all sent
    std::size_t output_sent_ = 0;      ///< of output_
    std::deque<h2_write_mark> marks_;  ///< in output_, in its order: where the writer paces or updates keys
    bool writing_ = false;             ///< the writer has an asynchronous write in flight
    bool reading_done_ = false;
    bool ended_ = false;  ///< run() is over: the stream is the connection's again
    bool draining_ = false;
    bool upgrading_ = false;  ///< routing the h2c upgrade's request: the client's SETTINGS are still to come
    /// Since when no stream has been open: PINGs and SETTINGS do not make a connection busy.
    std::optional<io_deadline::clock::time_point> idle_since_;
    std::string garbage_;            ///< the garbage fault's bytes, written after the frames, before the FIN
    net::steady_timer writer_wake_;  ///< cancelled when output waits for the writer
    net::steady_timer pause_;        ///< between a paced head's pieces (write_marked)
};

}  // namespace teapot::detail

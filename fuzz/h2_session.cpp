// libFuzzer target: what a client sends after HTTP/2's connection preface, fed to the server's
// session (wire/h2_session) in pieces as a connection reads it. Every request that completes is
// answered, one way by its stream id (a body, interim heads and trailers, a paced body, a reset),
// some heads told with wire lies (wire/h2_wire_lies), and the output drained after each piece
// (whole frames, lies and all), so that the answer paths run on whatever state the
// client's frames left (docs/fuzzing.md). The h2c upgrade too: an HTTP/1.1 request's HTTP2-Settings
// decoded (h2c_upgrade_settings) and, when valid, the request opened as stream 1 before the preface.
//
// Input: a read-size byte (its top bit set: the upgrade, then a length byte and that many bytes of
// HTTP2-Settings' value), then the client's frames (without the preface: it is sent first).

#include "wire/h2_session.hpp"

#include "fuzz_check.hpp"
#include "wire/body_budget.hpp"
#include "wire/h2c_upgrade.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

using namespace teapot::detail;

namespace {

constexpr std::string_view preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

void answer(h2_session& session, h2_stream& s) {
    message_head head;
    head.status = s.refused_with ? s.refused_with : 200;
    head.add("Content-Type", "text/plain");
    head.add("Connection", "close");  // dropped: HTTP/2 has no connection-specific fields
    switch (s.id % 8) {
        case 1: {
            h2_lie lie;
            lie.continuations = static_cast<std::uint32_t>(s.id % 5);
            session.lie(s, lie);
            session.submit_response(s, head, "teapot", 5, response_body{"hello"}, false, {});
            break;
        }
        case 3: {
            h2_lie lie;  // every lie at once, after the 1xx head
            lie.unknown_frame = true;
            lie.continuations = 2;
            lie.table_size_update = session.header_table_size();
            lie.heads_before = 1;
            session.lie(s, lie);
            message_head early;
            early.status = 103;
            early.add("Link", "</a>; rel=preload");
            session.submit_interim(s, early, "teapot");
            session.submit_response(s, head, "teapot", std::nullopt, response_body{std::string(40'000, 'x')}, false,
                                    {{"X-Trailer", "1"}});
            break;
        }
        case 5:
            s.allowed = 0;  // paced: let out a little now, the rest later
            session.submit_response(s, head, "teapot", 100, response_body{std::string(100, 'y')}, false, {});
            session.allow(s, 10);
            break;
        default: session.reset(s, 2); break;
    }
}

// Whether `bytes` is frames end to end (RFC 9113 §4.1: a 9-byte header, its length first).
bool whole_frames(std::string_view bytes) {
    while (bytes.size() >= 9) {
        const std::size_t length = std::size_t{static_cast<std::uint8_t>(bytes[0])} << 16 |
                                   std::size_t{static_cast<std::uint8_t>(bytes[1])} << 8 |
                                   static_cast<std::uint8_t>(bytes[2]);
        if (bytes.size() < 9 + length) return false;
        bytes.remove_prefix(9 + length);
    }
    return bytes.empty();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t piece = std::size_t{data[0] & 0x7fu} + 1;
    const bool upgraded = data[0] & 0x80u;
    std::string_view frames{reinterpret_cast<const char*>(data + 1), size - 1};
    std::string_view http2_settings;
    if (upgraded) {
        if (frames.empty() || frames.size() - 1 < static_cast<std::uint8_t>(frames[0])) return 0;
        http2_settings = frames.substr(1, static_cast<std::uint8_t>(frames[0]));
        frames.remove_prefix(1 + http2_settings.size());
    }

    body_budget budget{64 * 1024};
    h2_limits limits;
    limits.max_header_bytes = 4096;
    limits.max_header_fields = 20;
    limits.max_body_bytes = 16 * 1024;
    limits.max_concurrent_streams = 10;
    std::vector<std::shared_ptr<h2_stream>> complete;
    std::vector<std::shared_ptr<h2_stream>> paced;
    h2_session session{limits, &budget, [&](std::shared_ptr<h2_stream> s) { complete.push_back(std::move(s)); }};

    std::string output;
    auto feed = [&](std::string_view bytes) {
        const bool ok = session.receive(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
        for (auto& s : complete) {
            teapot::fuzz::check(s->request_complete, "a request handed over before it was complete");
            answer(session, *s);
            if (s->id % 8 == 5) paced.push_back(s);
        }
        complete.clear();
        for (auto& s : paced) session.allow(*s, s->allowed + 10);  // the pacing timer's next piece
        output.clear();
        session.take_output(output, 64 * 1024);
        teapot::fuzz::check(output.size() < 64 * 1024 + 70 * 1024, "output past a batch and a frame");
        teapot::fuzz::check(whole_frames(output), "output that ends inside a frame");
        return ok;
    };
    if (upgraded) {
        request req;
        req.method = "GET";
        req.target = "/status/200";
        req.headers = {{"Host", "t"},
                       {"Connection", "Upgrade, HTTP2-Settings"},
                       {"Upgrade", "h2c"},
                       {"HTTP2-Settings", http2_settings}};
        auto settings = h2c_upgrade_settings(req);
        if (!settings) return 0;
        if (!session.upgrade(h2_upgrade{std::move(*settings), stream_of_http1(req, &budget), false})) return 0;
    }
    if (!feed(preface)) return 0;
    for (std::size_t at = 0; at < frames.size(); at += piece)
        if (!feed(frames.substr(at, std::min(piece, frames.size() - at)))) break;
    session.close_all(8);
    teapot::fuzz::check(session.open_streams() == 0, "a stream left open after close_all");
    return 0;
}

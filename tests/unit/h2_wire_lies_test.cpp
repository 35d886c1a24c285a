// Wire lies: a HEADERS frame rewritten as the fault tells it, the frames around it untouched.

#include "wire/h2_wire_lies.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace teapot::detail;

namespace {

std::string frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream_id, std::string_view payload) {
    std::string out{static_cast<char>(payload.size() >> 16),
                    static_cast<char>(payload.size() >> 8),
                    static_cast<char>(payload.size()),
                    static_cast<char>(type),
                    static_cast<char>(flags),
                    static_cast<char>(stream_id >> 24),
                    static_cast<char>(stream_id >> 16),
                    static_cast<char>(stream_id >> 8),
                    static_cast<char>(stream_id)};
    return out + std::string{payload};
}

struct parsed_frame {
    int type, flags;
    std::uint32_t stream_id;
    std::string payload;
};

std::vector<parsed_frame> parse(std::string_view bytes) {
    std::vector<parsed_frame> out;
    while (bytes.size() >= 9) {
        const auto byte = [&](std::size_t i) {
            return static_cast<std::uint32_t>(static_cast<std::uint8_t>(bytes[i]));
        };
        const std::size_t length = byte(0) << 16 | byte(1) << 8 | byte(2);
        out.push_back({static_cast<int>(byte(3)), static_cast<int>(byte(4)),
                       byte(5) << 24 | byte(6) << 16 | byte(7) << 8 | byte(8), std::string{bytes.substr(9, length)}});
        bytes.remove_prefix(9 + length);
    }
    return out;
}

h2_lie continued(std::uint32_t frames, std::size_t heads_before = 0) {
    h2_lie lie;
    lie.continuations = frames;
    lie.heads_before = heads_before;
    return lie;
}

h2_lie unknown_first(std::uint32_t frames = 0) {
    auto lie = continued(frames);
    lie.unknown_frame = true;
    return lie;
}

h2_lie table_size(std::uint32_t size) {
    h2_lie lie;
    lie.table_size_update = size;
    return lie;
}

const std::string block = "0123456789";  // stands for an HPACK block: the lie never reads it

}  // namespace

TEST_CASE("wire lies: CONTINUATION frames carry the block in even pieces, END_HEADERS on the last", "[http2]") {
    const auto told = parse(lie_about(frame(0x1, 0x5, 3, block), continued(3)));  // END_STREAM | END_HEADERS
    REQUIRE(told.size() == 4);
    CHECK((told[0].type == 0x1 && told[0].flags == 0x1 && told[0].payload == "012"));  // END_STREAM stays
    CHECK((told[1].type == 0x9 && told[1].flags == 0 && told[1].payload == "345"));
    CHECK((told[2].type == 0x9 && told[2].flags == 0 && told[2].payload == "678"));
    CHECK((told[3].type == 0x9 && told[3].flags == 0x4 && told[3].payload == "9"));
    for (const auto& f : told) CHECK(f.stream_id == 3);
}

TEST_CASE("wire lies: more CONTINUATION frames than bytes leave some empty", "[http2]") {
    const auto told = parse(lie_about(frame(0x1, 0x4, 1, "ab"), continued(4)));
    REQUIRE(told.size() == 5);
    std::string joined;
    for (const auto& f : told) joined += f.payload;
    CHECK(joined == "ab");
    CHECK(told.back().flags == 0x4);
    CHECK(told[4].payload.empty());
}

TEST_CASE("wire lies: an unknown frame before the HEADERS, and a table size update opening its block", "[http2]") {
    auto told = parse(lie_about(frame(0x1, 0x4, 5, block), unknown_first()));
    REQUIRE(told.size() == 2);
    CHECK((told[0].type == unknown_frame_type && told[0].stream_id == 5 && told[0].flags == 0));
    CHECK((told[1].type == 0x1 && told[1].payload == block && told[1].flags == 0x4));

    // RFC 7541 §5.1 and §6.3: 001, then the size on a 5-bit prefix; 4 096 takes two more bytes.
    told = parse(lie_about(frame(0x1, 0x4, 5, block), table_size(4096)));
    REQUIRE(told.size() == 1);
    CHECK(told[0].payload == std::string{"\x3f\xe1\x1f"} + block);
    told = parse(lie_about(frame(0x1, 0x4, 5, block), table_size(30)));
    CHECK(told[0].payload == std::string{"\x3e"} + block);
    told = parse(lie_about(frame(0x1, 0x4, 5, block), table_size(0)));
    CHECK(told[0].payload == std::string{"\x20"} + block);
}

TEST_CASE("wire lies: a padded HEADERS frame, or one already continued, is left as it is", "[http2]") {
    const auto padded = frame(0x1, 0x4 | 0x8, 1, std::string{"\x01"} + block + "\0");
    CHECK(lie_about(padded, unknown_first(3)) == padded);
    const auto continued = frame(0x1, 0x1, 1, block);  // no END_HEADERS
    CHECK(lie_about(continued, unknown_first(3)) == continued);
}

TEST_CASE("wire lies: the filter rewrites the lying stream's final head, once, and nothing else", "[http2]") {
    h2_wire_lies lies;
    lies.tell(3, continued(1, 1));           // one 1xx head first
    std::string out = frame(0x4, 0, 0, "");  // SETTINGS
    out += frame(0x1, 0x4, 1, block);        // another stream's head
    out += frame(0x1, 0x4, 3, "103");        // the 1xx
    lies.rewrite(out, 0);
    CHECK(parse(out).size() == 3);
    CHECK_FALSE(lies.idle());
    const auto from = out.size();
    out += frame(0x1, 0x4, 3, block);  // the final head
    out += frame(0x0, 0x1, 3, "body");
    lies.rewrite(out, from);
    const auto frames = parse(out);
    REQUIRE(frames.size() == 6);
    CHECK((frames[3].type == 0x1 && frames[3].flags == 0 && frames[4].type == 0x9 && frames[4].flags == 0x4));
    CHECK((frames[5].type == 0x0 && frames[5].payload == "body"));
    CHECK(lies.idle());
}

TEST_CASE("wire lies: withheld SETTINGS acknowledgements leave the wire, every other frame stays", "[http2]") {
    h2_wire_lies lies;
    std::string out = frame(0x4, 0x1, 0, "");  // an ACK sent before the lie: not rewritten
    const auto before = out.size();
    lies.withhold_settings_acks();
    CHECK_FALSE(lies.idle());
    out += frame(0x4, 0, 0, std::string(6, '\0'));  // teapot's own SETTINGS
    out += frame(0x4, 0x1, 0, "");                  // an ACK
    out += frame(0x6, 0x1, 0, "pingpong");          // a PING's ack: kept
    out += frame(0x4, 0x1, 0, "");                  // another ACK, after it
    out += frame(0x1, 0x5, 1, block);               // a head
    lies.rewrite(out, before);
    const auto frames = parse(out);
    REQUIRE(frames.size() == 4);
    CHECK((frames[0].type == 0x4 && frames[0].flags == 0x1));  // the one before
    CHECK((frames[1].type == 0x4 && frames[1].flags == 0 && frames[1].payload.size() == 6));
    CHECK((frames[2].type == 0x6 && frames[2].payload == "pingpong"));
    CHECK((frames[3].type == 0x1 && frames[3].payload == block));
    CHECK_FALSE(lies.idle());  // for the rest of the connection
}

TEST_CASE("wire lies: a paced head or a key update marks the final head for the writer, its bytes as told", "[http2]") {
    h2_wire_lies lies;
    h2_lie paced;
    paced.paced = pacing{20, std::chrono::milliseconds{100}};
    paced.heads_before = 1;
    lies.tell(3, paced);
    h2_lie key_update = continued(2);
    key_update.key_update_after = true;
    lies.tell(5, key_update);
    std::string out = frame(0x4, 0, 0, "");  // SETTINGS
    out += frame(0x1, 0x4, 3, "103");        // stream 3's 1xx: not marked
    const auto head3 = out.size();
    out += frame(0x1, 0x4, 3, block);  // its final head: marked, unchanged
    out += frame(0x0, 0x1, 3, "body");
    const auto head5 = out.size();
    out += frame(0x1, 0x4, 5, block);  // stream 5's: continued, then marked
    lies.rewrite(out, 0);
    std::deque<h2_write_mark> marks;
    lies.take_marks(marks);
    REQUIRE(marks.size() == 2);
    CHECK((marks[0].begin == head3 && marks[0].end == head3 + 9 + block.size()));
    CHECK((marks[0].paced && marks[0].paced->bytes == 20u && !marks[0].key_update_after));
    CHECK(out.substr(head3, 9 + block.size()) == frame(0x1, 0x4, 3, block));
    CHECK((marks[1].begin == head5 && marks[1].end == out.size() && marks[1].key_update_after && !marks[1].paced));
    CHECK(parse(out.substr(head5)).size() == 3);  // HEADERS and 2 CONTINUATION, one mark over them
    lies.take_marks(marks);
    CHECK(marks.size() == 2);  // taken once
    CHECK(lies.idle());
}

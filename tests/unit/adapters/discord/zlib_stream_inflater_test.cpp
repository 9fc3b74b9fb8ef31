// The zlib-stream inflater (protocols.md G16, L8) against zlib's own deflate with Z_SYNC_FLUSH,
// which is how Discord compresses a connection: one deflate stream, flushed after each message.
#include <doctest/doctest.h>

#include <zlib.h>

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "adapters/discord/zlib_stream_inflater.hpp"

namespace tweetup {
namespace {

using error_kind = zlib_stream_inflater::error::kind;

// The server side: one deflate context for the whole connection.
class deflater {
 public:
  deflater() { REQUIRE(deflateInit(&stream_, Z_DEFAULT_COMPRESSION) == Z_OK); }
  ~deflater() { deflateEnd(&stream_); }
  deflater(const deflater&) = delete;
  deflater& operator=(const deflater&) = delete;

  // One gateway message, compressed and flushed: ends in 00 00 FF FF.
  std::string message(const std::string& text) {
    std::string out;
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    stream_.avail_in = static_cast<uInt>(text.size());
    unsigned char chunk[4096];
    do {
      stream_.next_out = chunk;
      stream_.avail_out = sizeof chunk;
      REQUIRE(deflate(&stream_, Z_SYNC_FLUSH) == Z_OK);
      out.append(reinterpret_cast<const char*>(chunk), sizeof chunk - stream_.avail_out);
    } while (stream_.avail_out == 0);
    REQUIRE(out.size() >= 4);
    REQUIRE(out.substr(out.size() - 4) == std::string("\x00\x00\xff\xff", 4));
    return out;
  }

 private:
  z_stream stream_{};
};

std::string text_of(const zlib_stream_inflater::result& r) {
  REQUIRE(std::holds_alternative<std::string>(r));
  return std::get<std::string>(r);
}

bool is_incomplete(const zlib_stream_inflater::result& r) {
  return std::holds_alternative<zlib_stream_inflater::incomplete>(r);
}

std::string ready_payload(int guilds) {
  std::string text = R"({"t":"READY","s":1,"op":0,"d":{"v":10,"guilds":[)";
  for (int i = 0; i < guilds; ++i) {
    if (i > 0) text += ',';
    text += R"({"id":")" + std::to_string(1200000000000000000LL + i) + R"(","unavailable":true})";
  }
  return text + R"(],"session_id":"9f3c2a1b7e6d5c4b"}})";
}

TEST_CASE("one frame, one message") {
  deflater server;
  zlib_stream_inflater inflater;
  const std::string hello = R"({"t":null,"s":null,"op":10,"d":{"heartbeat_interval":41250}})";
  CHECK(text_of(inflater.feed(server.message(hello))) == hello);
}

TEST_CASE("many messages share the dictionary of one stream") {
  deflater server;
  zlib_stream_inflater inflater;
  std::size_t later_sizes = 0;
  std::size_t first_size = 0;
  for (int s = 1; s <= 200; ++s) {
    const std::string text = R"({"t":"MESSAGE_CREATE","s":)" + std::to_string(s) +
                             R"(,"op":0,"d":{"channel_id":"1200000000000000003","content":"hi"}})";
    const std::string frame = server.message(text);
    if (s == 1) first_size = frame.size();
    if (s > 1) later_sizes += frame.size();
    CHECK(text_of(inflater.feed(frame)) == text);
  }
  // The later messages lean on the shared dictionary, which is why a context per connection
  // (not per message) is needed at all.
  CHECK(later_sizes / 199 < first_size / 2);
}

TEST_CASE("a message split across frames, down to single bytes") {
  deflater server;
  zlib_stream_inflater inflater;
  const std::string first = ready_payload(300);
  const std::string second = R"({"t":"RESUMED","s":2,"op":0,"d":{}})";

  SUBCASE("two frames") {
    const std::string data = server.message(first);
    const auto half = data.size() / 2;
    CHECK(is_incomplete(inflater.feed(data.substr(0, half))));
    CHECK(text_of(inflater.feed(data.substr(half))) == first);
  }
  SUBCASE("the marker itself split, the last frame shorter than four bytes") {
    const std::string data = server.message(first);
    CHECK(is_incomplete(inflater.feed(data.substr(0, data.size() - 2))));
    CHECK(text_of(inflater.feed(data.substr(data.size() - 2))) == first);
  }
  SUBCASE("one byte per frame") {
    const std::string data = server.message(first);
    for (std::size_t i = 0; i + 1 < data.size(); ++i)
      REQUIRE(is_incomplete(inflater.feed(data.substr(i, 1))));
    CHECK(text_of(inflater.feed(data.substr(data.size() - 1))) == first);
  }
  SUBCASE("an empty frame changes nothing") {
    CHECK(is_incomplete(inflater.feed("")));
    CHECK(text_of(inflater.feed(server.message(first))) == first);
  }
  // Whatever the framing, the stream goes on to the next message.
  CHECK(text_of(inflater.feed(server.message(second))) == second);
}

TEST_CASE("a message bigger than the inflater's working chunk") {
  deflater server;
  zlib_stream_inflater inflater;
  const std::string big = ready_payload(25000);  // about 1.2 MB of text
  REQUIRE(big.size() > 1000000);
  CHECK(text_of(inflater.feed(server.message(big))) == big);
}

TEST_CASE("corrupt data is an error, never a crash") {
  deflater server;
  const std::string ok = R"({"op":11,"d":null})";
  const std::string first = server.message(ok);

  SUBCASE("an invalid block after a good message") {
    zlib_stream_inflater inflater;
    REQUIRE(text_of(inflater.feed(first)) == ok);
    // After a sync flush the stream is byte-aligned; 0x06 starts a block of the reserved
    // type 3.
    const auto r = inflater.feed(std::string("\x06\x34\x56\x00\x00\xff\xff", 7));
    REQUIRE(std::holds_alternative<zlib_stream_inflater::error>(r));
    CHECK(std::get<zlib_stream_inflater::error>(r).what == error_kind::corrupt);
  }
  SUBCASE("a stream that does not start with a zlib header") {
    zlib_stream_inflater inflater;
    const auto r = inflater.feed(server.message(ok));  // the second message: no header
    REQUIRE(std::holds_alternative<zlib_stream_inflater::error>(r));
    CHECK(std::get<zlib_stream_inflater::error>(r).what == error_kind::corrupt);
  }
  SUBCASE("a stream that ends") {
    // A complete zlib stream (header, data, trailer): zlib-stream never ends, so this is an
    // error, and no text is made up from it.
    z_stream finished{};
    REQUIRE(deflateInit(&finished, Z_DEFAULT_COMPRESSION) == Z_OK);
    std::string input = "x";
    unsigned char out[256];
    finished.next_in = reinterpret_cast<Bytef*>(input.data());
    finished.avail_in = 1;
    finished.next_out = out;
    finished.avail_out = sizeof out;
    REQUIRE(deflate(&finished, Z_FINISH) == Z_STREAM_END);
    const std::string whole(reinterpret_cast<const char*>(out), sizeof out - finished.avail_out);
    deflateEnd(&finished);
    zlib_stream_inflater inflater;
    const auto r = inflater.feed(whole);
    REQUIRE(std::holds_alternative<zlib_stream_inflater::error>(r));
    CHECK(std::get<zlib_stream_inflater::error>(r).what == error_kind::corrupt);
  }
  SUBCASE("random bytes of every length") {
    // A fixed pseudo-random sequence (an LCG), so the run is the same every time.
    std::uint32_t seed = 12345;
    for (int length = 0; length < 200; ++length) {
      zlib_stream_inflater inflater;
      std::string junk;
      for (int i = 0; i < length; ++i) {
        seed = seed * 1103515245u + 12345u;
        junk += static_cast<char>(seed >> 24);
      }
      junk += std::string("\x00\x00\xff\xff", 4);
      const auto r = inflater.feed(junk);
      CHECK_FALSE(std::holds_alternative<zlib_stream_inflater::incomplete>(r));
    }
  }
}

bool is_corrupt(const zlib_stream_inflater::result& r) {
  const auto* e = std::get_if<zlib_stream_inflater::error>(&r);
  return e != nullptr && e->what == error_kind::corrupt && !e->detail.empty();
}

// The inflater checks the RFC 1950 header itself (it inflates raw deflate, see the .cpp): each
// header zlib's own inflate refuses is refused, whole or split, and then the stream is dead.
TEST_CASE("the zlib header is checked as zlib would") {
  const std::string body("\x02\x00\x00\x00\xff\xff", 6);  // an empty block, then a flush
  SUBCASE("the header check (FCHECK) fails") {
    zlib_stream_inflater inflater;
    CHECK(is_corrupt(inflater.feed(std::string("\x78\x9d", 2) + body)));
  }
  SUBCASE("not deflate") {
    zlib_stream_inflater inflater;
    // CM 9, FCHECK right.
    CHECK(is_corrupt(inflater.feed(std::string("\x79\x18", 2) + body)));
  }
  SUBCASE("a window over 32 KiB") {
    zlib_stream_inflater inflater;
    // CINFO 8, FCHECK right.
    CHECK(is_corrupt(inflater.feed(std::string("\x88\x1c", 2) + body)));
  }
  SUBCASE("a preset dictionary (FDICT)") {
    zlib_stream_inflater inflater;
    // FDICT set, FCHECK right, then a dictionary id.
    CHECK(is_corrupt(inflater.feed(std::string("\x78\x20\x00\x00\x00\x01", 6) + body)));
  }
  SUBCASE("a bad header split across frames") {
    zlib_stream_inflater inflater;
    CHECK(is_incomplete(inflater.feed(std::string("\x78", 1))));
    CHECK(is_corrupt(inflater.feed(std::string("\x9d", 1) + body)));
  }
  SUBCASE("a refused header leaves the stream dead") {
    zlib_stream_inflater inflater;
    REQUIRE(is_corrupt(inflater.feed(std::string("\x78\x9d", 2) + body)));
    deflater server;
    CHECK(is_corrupt(inflater.feed(server.message(R"({"op":11})"))));
  }
}

TEST_CASE("a good header split across frames, and a small window") {
  const std::string text = R"({"t":"RESUMED","s":2,"op":0,"d":{}})";
  SUBCASE("the first byte alone, then the rest") {
    deflater server;
    zlib_stream_inflater inflater;
    const std::string data = server.message(text);
    CHECK(is_incomplete(inflater.feed(data.substr(0, 1))));
    CHECK(text_of(inflater.feed(data.substr(1))) == text);
    CHECK(text_of(inflater.feed(server.message(text))) == text);
  }
  SUBCASE("the header alone, then the data") {
    deflater server;
    zlib_stream_inflater inflater;
    const std::string data = server.message(text);
    CHECK(is_incomplete(inflater.feed(data.substr(0, 2))));
    CHECK(text_of(inflater.feed(data.substr(2))) == text);
  }
  SUBCASE("a 512-byte window (CINFO 1) is accepted, as zlib accepts it") {
    z_stream small{};
    REQUIRE(deflateInit2(&small, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 9, 8, Z_DEFAULT_STRATEGY) ==
            Z_OK);
    std::string input = text;
    unsigned char out[512];
    small.next_in = reinterpret_cast<Bytef*>(input.data());
    small.avail_in = static_cast<uInt>(input.size());
    small.next_out = out;
    small.avail_out = sizeof out;
    REQUIRE(deflate(&small, Z_SYNC_FLUSH) == Z_OK);
    const std::string data(reinterpret_cast<const char*>(out), sizeof out - small.avail_out);
    deflateEnd(&small);
    REQUIRE((static_cast<unsigned char>(data[0]) >> 4) == 1);
    zlib_stream_inflater inflater;
    CHECK(text_of(inflater.feed(data)) == text);
  }
}

TEST_CASE("after corrupt data the inflater refuses the rest of the connection until reset") {
  deflater server;
  zlib_stream_inflater inflater;
  const std::string ok = R"({"op":11,"d":null})";
  REQUIRE(text_of(inflater.feed(server.message(ok))) == ok);
  REQUIRE(std::holds_alternative<zlib_stream_inflater::error>(
      inflater.feed(std::string("\xff\xff\xff\xff\xff\x00\x00\xff\xff", 9))));
  const auto after = inflater.feed(server.message(ok));
  REQUIRE(std::holds_alternative<zlib_stream_inflater::error>(after));
  CHECK(std::get<zlib_stream_inflater::error>(after).what == error_kind::corrupt);
  // A new connection: a fresh stream from a fresh server context.
  inflater.reset();
  deflater next_server;
  CHECK(text_of(inflater.feed(next_server.message(ok))) == ok);
}

TEST_CASE("a message over the size cap is dropped, and the stream goes on") {
  deflater server;
  zlib_stream_inflater inflater(64 * 1024);
  const std::string big = ready_payload(5000);  // about 250 KB, compresses well
  REQUIRE(big.size() > 64 * 1024);
  const std::string data = server.message(big);
  REQUIRE(data.size() < 64 * 1024);  // the cap is on the inflated size, not the frame
  const auto r = inflater.feed(data);
  REQUIRE(std::holds_alternative<zlib_stream_inflater::error>(r));
  CHECK(std::get<zlib_stream_inflater::error>(r).what == error_kind::too_large);
  const std::string next = R"({"t":"RESUMED","s":2,"op":0,"d":{}})";
  CHECK(text_of(inflater.feed(server.message(next))) == next);
  // Exactly at the cap is still fine.
  zlib_stream_inflater exact(next.size());
  deflater fresh;
  CHECK(text_of(exact.feed(fresh.message(next))) == next);
}

TEST_CASE("a message's text handed back by reuse() holds the next message, and only it") {
  deflater server;
  zlib_stream_inflater inflater;
  const std::string big = ready_payload(300);
  const std::string small = R"({"op":11,"d":null})";
  std::string text = text_of(inflater.feed(server.message(big)));
  REQUIRE(text == big);
  inflater.reuse(std::move(text));
  text = text_of(inflater.feed(server.message(small)));
  CHECK(text == small);
  inflater.reuse(std::move(text));
  // Handed back while a message is half read: ignored, the message comes out whole.
  const std::string data = server.message(big);
  REQUIRE(is_incomplete(inflater.feed(data.substr(0, data.size() / 2))));
  inflater.reuse(std::string(4096, 'z'));
  CHECK(text_of(inflater.feed(data.substr(data.size() / 2))) == big);
  zlib_stream_inflater moved_from = std::move(inflater);
  inflater.reuse(std::string(64, 'z'));  // NOLINT(bugprone-use-after-move): must not crash
  CHECK(text_of(moved_from.feed(server.message(small))) == small);
}

TEST_CASE("reuse() keeps storage up to max_reused_bytes and lets bigger storage go") {
  deflater server;
  zlib_stream_inflater inflater;
  const std::string small = R"({"op":11,"d":null})";
  std::string room;
  room.reserve(8 * 1024);
  const char* const where = room.data();
  inflater.reuse(std::move(room));
  // Taken out of the result, not copied (text_of copies), to see where it lies.
  auto result = inflater.feed(server.message(small));
  REQUIRE(std::holds_alternative<std::string>(result));
  std::string text = std::get<std::string>(std::move(result));
  CHECK(text == small);
  CHECK(static_cast<const void*>(text.data()) == static_cast<const void*>(where));
  // A big message's room is not kept: the next text is not in it.
  std::string huge;
  huge.reserve(zlib_stream_inflater::max_reused_bytes + 1);
  inflater.reuse(std::move(huge));
  result = inflater.feed(server.message(small));
  REQUIRE(std::holds_alternative<std::string>(result));
  text = std::get<std::string>(std::move(result));
  CHECK(text == small);
  CHECK(text.capacity() <= zlib_stream_inflater::max_reused_bytes);
}

TEST_CASE("a moved inflater keeps its stream") {
  deflater server;
  zlib_stream_inflater first;
  const std::string a = R"({"op":11,"d":null})";
  REQUIRE(text_of(first.feed(server.message(a))) == a);
  zlib_stream_inflater second = std::move(first);
  const std::string b = R"({"op":1,"d":null})";
  CHECK(text_of(second.feed(server.message(b))) == b);
}

}  // namespace
}  // namespace tweetup

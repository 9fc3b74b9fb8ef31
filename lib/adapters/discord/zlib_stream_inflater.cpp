#include "adapters/discord/zlib_stream_inflater.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>
#include <optional>
#include <utility>

namespace tweetup {

namespace {

// G16: Discord ends every gateway message with a Z_SYNC_FLUSH, whose empty stored block ends
// in these four bytes.
constexpr std::array<unsigned char, 4> flush_marker{0x00, 0x00, 0xFF, 0xFF};
constexpr std::size_t chunk_bytes = 16 * 1024;

// RFC 1950 §2.2: the two header bytes, CMF then FLG.
constexpr unsigned deflate_method = 8;        // CM, the low nibble of CMF
constexpr unsigned max_window_info = 7;       // CINFO above 7 (a 32 KiB window) is not allowed
constexpr unsigned preset_dictionary = 0x20;  // FDICT, in FLG

}  // namespace

struct zlib_stream_inflater::state {
  z_stream stream{};
  bool initialised = false;  // inflateInit succeeded: inflateEnd is owed
  bool ready = false;        // initialised, and no corrupt data has been seen since
  std::string failure;
  std::size_t max_message_bytes;
  std::string message;     // inflated text of the message in progress
  bool oversized = false;  // the message in progress passed max_message_bytes
  std::size_t message_bytes = 0;
  std::array<unsigned char, 4> tail{};  // the last compressed bytes seen, for the marker
  std::size_t tail_size = 0;
  std::array<unsigned char, 2> header{};  // the zlib header, which may come split across frames
  std::size_t header_size = 0;

  explicit state(std::size_t max_bytes) : max_message_bytes(max_bytes) {
    // zlib-stream is one zlib stream (G16) that never ends, so its Adler-32 trailer never comes
    // and zlib's running checksum over every inflated byte would be wasted. So the header is
    // checked here (accept_header) and zlib inflates raw deflate, with the largest window.
    if (inflateInit2(&stream, -MAX_WBITS) == Z_OK) {
      initialised = true;
      ready = true;
    } else {
      failure = "zlib could not start an inflate context";
    }
  }
  ~state() {
    if (initialised) inflateEnd(&stream);
  }
  state(const state&) = delete;
  state& operator=(const state&) = delete;

  void clear_message() {
    message.clear();
    oversized = false;
    message_bytes = 0;
    tail_size = 0;
  }

  void remember_tail(std::string_view frame) {
    // Only the last four bytes of the stream matter, so a long frame replaces the whole tail.
    if (frame.size() >= tail.size()) {
      std::memcpy(tail.data(), frame.data() + frame.size() - tail.size(), tail.size());
      tail_size = tail.size();
      return;
    }
    const std::size_t keep = std::min(tail_size, tail.size() - frame.size());
    std::memmove(tail.data(), tail.data() + tail_size - keep, keep);
    std::memcpy(tail.data() + keep, frame.data(), frame.size());
    tail_size = keep + frame.size();
  }

  // Takes the zlib header's bytes off the front of `frame` until both have come, then checks
  // them as zlib's own inflate would (RFC 1950 §2.2, in zlib's order), except that a preset
  // dictionary is refused at once: the gateway never announces one.
  std::optional<error> accept_header(std::string_view& frame) {
    while (header_size < header.size() && !frame.empty()) {
      header[header_size++] = static_cast<unsigned char>(frame.front());
      frame.remove_prefix(1);
    }
    if (header_size < header.size()) return std::nullopt;  // the rest comes in a later frame
    const unsigned cmf = header[0];
    const unsigned flg = header[1];
    if ((cmf * 256 + flg) % 31 != 0)
      return fail("corrupt zlib-stream data: incorrect header check");
    if ((cmf & 0x0F) != deflate_method) {
      return fail("corrupt zlib-stream data: unknown compression method");
    }
    if ((cmf >> 4) > max_window_info) return fail("corrupt zlib-stream data: invalid window size");
    if ((flg & preset_dictionary) != 0) {
      return fail("corrupt zlib-stream data: a preset dictionary is not supported");
    }
    return std::nullopt;
  }

  bool at_flush_marker() const { return tail_size == tail.size() && tail == flush_marker; }

  error fail(std::string why) {
    ready = false;
    failure = std::move(why);
    clear_message();
    return {error::kind::corrupt, failure};
  }

  // Inflates as the frames come, so only the text is buffered, and a frame that breaks the
  // stream is caught at once.
  std::optional<error> inflate_frame(std::string_view frame) {
    std::array<unsigned char, chunk_bytes> chunk;
    while (!frame.empty()) {
      // avail_in is a uInt; a frame bigger than that goes in slices.
      const auto slice = std::min<std::size_t>(frame.size(), UINT_MAX);
      stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(frame.data()));
      stream.avail_in = static_cast<uInt>(slice);
      for (;;) {
        stream.next_out = chunk.data();
        stream.avail_out = static_cast<uInt>(chunk.size());
        const int rc = inflate(&stream, Z_SYNC_FLUSH);
        const std::size_t produced = chunk.size() - stream.avail_out;
        if (rc == Z_STREAM_END) {
          // zlib-stream never ends on a live connection; data after this point cannot be read.
          return fail("the zlib stream ended");
        }
        if (rc == Z_NEED_DICT || rc == Z_DATA_ERROR || rc == Z_STREAM_ERROR || rc == Z_MEM_ERROR) {
          return fail(std::string("corrupt zlib-stream data: ") +
                      (stream.msg != nullptr ? stream.msg : "inflate failed"));
        }
        message_bytes += produced;
        if (message_bytes > max_message_bytes) {
          // Keep inflating to stay in step with the dictionary, but keep none of the text.
          oversized = true;
          message.clear();
          message.shrink_to_fit();
        } else {
          message.append(reinterpret_cast<const char*>(chunk.data()), produced);
        }
        // Z_BUF_ERROR: no progress was possible, so the input is used up.
        if (rc == Z_BUF_ERROR) break;
        if (stream.avail_in == 0 && stream.avail_out != 0) break;
      }
      frame.remove_prefix(slice - stream.avail_in);
      if (stream.avail_in != 0) return fail("inflate stopped before the end of its input");
    }
    return std::nullopt;
  }
};

zlib_stream_inflater::zlib_stream_inflater(std::size_t max_message_bytes)
    : state_(std::make_unique<state>(max_message_bytes)) {}

zlib_stream_inflater::~zlib_stream_inflater() = default;
zlib_stream_inflater::zlib_stream_inflater(zlib_stream_inflater&&) noexcept = default;
zlib_stream_inflater& zlib_stream_inflater::operator=(zlib_stream_inflater&&) noexcept = default;

zlib_stream_inflater::result zlib_stream_inflater::feed(std::string_view binary_frame) {
  if (!state_) return error{error::kind::corrupt, "the inflater was moved from"};
  state& s = *state_;
  if (!s.ready) return error{error::kind::corrupt, s.failure};
  std::string_view compressed = binary_frame;
  if (s.header_size < s.header.size()) {
    if (auto problem = s.accept_header(compressed)) return *problem;
  }
  if (auto problem = s.inflate_frame(compressed)) return *problem;
  s.remember_tail(binary_frame);
  // L8: the marker test looks at the stream's last four bytes, which may span frames.
  if (!s.at_flush_marker()) return incomplete{};
  if (s.oversized) {
    const auto size = s.message_bytes;
    s.clear_message();
    return error{error::kind::too_large, "a gateway message inflated past " +
                                             std::to_string(s.max_message_bytes) + " bytes (" +
                                             std::to_string(size) + ")"};
  }
  std::string text = std::move(s.message);
  s.clear_message();
  return text;
}

void zlib_stream_inflater::reuse(std::string spent) {
  // Only between messages: a message in progress already has its storage. Nor the room of a
  // rare big message (a large guild's GUILD_CREATE), which would stay allocated for good.
  if (!state_ || !state_->message.empty() || spent.capacity() <= state_->message.capacity() ||
      spent.capacity() > max_reused_bytes) {
    return;
  }
  spent.clear();
  state_->message = std::move(spent);
}

void zlib_stream_inflater::reset() {
  state_ = std::make_unique<state>(state_ ? state_->max_message_bytes : default_max_message_bytes);
}

}  // namespace tweetup

// Inflates Discord's zlib-stream transport compression (protocols.md G16, L8). Pure: no I/O,
// no clock.
//
// One instance per gateway connection: every message on a connection shares one zlib context
// (the dictionary carries over), and a new connection needs a fresh one (or reset()). Feed each
// binary websocket message in order; a gateway message is complete when the compressed data
// received so far ends in 00 00 FF FF (Z_SYNC_FLUSH), which may take several frames, and a frame
// may be shorter than those four bytes.
//
// Errors are values, never exceptions:
// - corrupt: the data is not a valid zlib stream. The shared context is now out of step with
//   the server, so every later feed answers corrupt too: close the connection; the next one
//   gets a fresh inflater (or reset()).
// - too_large: the message inflated past max_message_bytes. Its text is dropped but the stream
//   stays in step, so the connection can go on.
// Not thread-safe. Movable, not copyable (the zlib context must not move in memory, so it is
// held through a pointer); a moved-from inflater answers corrupt until reset().
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace tweetup {

class zlib_stream_inflater {
 public:
  static constexpr std::size_t default_max_message_bytes = std::size_t{8} << 20;
  // reuse() keeps no room larger than this: a message is a few KiB, a large guild's a few MiB.
  static constexpr std::size_t max_reused_bytes = std::size_t{64} << 10;

  struct incomplete {};
  struct error {
    enum class kind { corrupt, too_large };
    kind what;
    std::string detail;  // for the log
  };
  // The whole inflated text of one gateway message, incomplete, or an error.
  using result = std::variant<std::string, incomplete, error>;

  explicit zlib_stream_inflater(std::size_t max_message_bytes = default_max_message_bytes);
  ~zlib_stream_inflater();
  zlib_stream_inflater(zlib_stream_inflater&&) noexcept;
  zlib_stream_inflater& operator=(zlib_stream_inflater&&) noexcept;
  zlib_stream_inflater(const zlib_stream_inflater&) = delete;
  zlib_stream_inflater& operator=(const zlib_stream_inflater&) = delete;

  result feed(std::string_view binary_frame);
  // Optional: hands back the text of a message feed() returned, once the caller is done with it,
  // so that the next message is inflated into its storage instead of a new allocation. Storage
  // over max_reused_bytes is let go.
  void reuse(std::string spent);
  // Forget everything, as if newly made: for a new connection.
  void reset();

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace tweetup

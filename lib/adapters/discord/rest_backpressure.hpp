// Backpressure from REST to the gateway: whether the gateway may read its next frame, given the
// work queued for REST (calls and their bytes). Each command read soon becomes a reply queued
// for REST; when replies leave more slowly than commands arrive, pausing the reads keeps the
// backlog in the kernel's socket buffer and on Discord's side (which delivers it once we read
// again, or replays it on resume) instead of in our heap.
//
// Hysteresis: reading pauses once either figure reaches its high mark and resumes only when
// both are at or below their low marks, so a queue hovering near one mark does not flap.
// Pure and synchronous: no clock, no I/O; the caller feeds every change of the load.
#pragma once

#include <cstddef>

namespace tweetup {

class rest_backpressure {
 public:
  struct settings {
    // Pause at this many queued calls or bytes (a reply to a command is about 320 bytes, plus
    // the queue's bookkeeping). The caller counts commands read but not yet answered as calls,
    // so the queue passes a mark only by the replies of the frame being read when it paused...
    std::size_t high_calls = 1024;
    std::size_t high_bytes = std::size_t{512} << 10;
    // ...and read again at or below both of these: enough queued work to keep every REST
    // connection busy while the next frames are read and committed (on the benchmark, marks
    // of 256 and 64 calls gave about a quarter less throughput for 0.3 MiB less peak RSS).
    std::size_t low_calls = 256;
    std::size_t low_bytes = std::size_t{128} << 10;
  };
  struct load {
    std::size_t calls = 0;
    std::size_t bytes = 0;
  };

  rest_backpressure() : rest_backpressure(settings{}) {}
  // Low marks above their high marks are lowered to them (a pause must be able to end).
  explicit rest_backpressure(settings s);

  // Takes the current load; true when this changed paused().
  bool update(load now);
  bool paused() const { return paused_; }
  // How many times reading paused, for logs and tests.
  std::size_t pauses() const { return pauses_; }
  const settings& limits() const { return settings_; }

 private:
  settings settings_;
  bool paused_ = false;
  std::size_t pauses_ = 0;
};

}  // namespace tweetup

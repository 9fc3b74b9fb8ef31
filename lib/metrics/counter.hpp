// One counter series: a value that only goes up, from zero at process start.
//
// Threading: none. The bot runs everything on one io thread (design.md §3), so an increment is a
// plain add, with no atomics; never touch a counter from another thread.
// Lifetime: owned by its family in a registry; its address is stable for the registry's life, so
// hot paths look it up once and keep the reference.
#pragma once

#include <cstdint>

namespace tweetup::metrics {

class counter {
 public:
  void inc(std::uint64_t by = 1) { value_ += by; }
  std::uint64_t value() const { return value_; }

 private:
  std::uint64_t value_ = 0;
};

}  // namespace tweetup::metrics

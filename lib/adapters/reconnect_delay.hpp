// The arithmetic of reconnect backoff shared by the platform sessions (Discord gateway, IRC):
// pure and header-only.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>

namespace tweetup {

// The caller promises a jitter in [0, 1); a NaN or an out-of-range value must still give a sane
// delay.
inline double clamp_jitter(double jitter) {
  if (!(jitter >= 0.0)) return 0.0;
  return std::min(jitter, std::nextafter(1.0, 0.0));
}

// `base` times `factor`, as a steady_clock duration.
inline std::chrono::steady_clock::duration scaled(std::chrono::milliseconds base, double factor) {
  return std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double, std::milli>(static_cast<double>(base.count()) * factor));
}

}  // namespace tweetup

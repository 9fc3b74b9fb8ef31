// One histogram series with fixed bucket upper bounds: observe() counts a value into the first
// bucket whose bound is >= it (Prometheus' `le`), plus a +Inf bucket, a sum and a count.
// Rendering makes the buckets cumulative.
//
// Threading: none (one io thread, see counter.hpp). Lifetime: owned by its family; the address
// is stable.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tweetup::metrics {

class histogram {
 public:
  // `bounds` must be finite, strictly increasing and not empty (the family checks).
  explicit histogram(std::span<const double> bounds)
      : bounds_(bounds.begin(), bounds.end()), counts_(bounds.size() + 1, 0) {}

  void observe(double value) {
    // A dozen bounds: a linear scan beats a binary search's branches here.
    std::size_t i = 0;
    while (i < bounds_.size() && value > bounds_[i])
      ++i;
    ++counts_[i];
    sum_ += value;
    ++count_;
  }

  const std::vector<double>& bounds() const { return bounds_; }
  // Per bucket, not cumulative; the last one is the +Inf bucket.
  const std::vector<std::uint64_t>& bucket_counts() const { return counts_; }
  double sum() const { return sum_; }
  std::uint64_t count() const { return count_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> counts_;
  double sum_ = 0;
  std::uint64_t count_ = 0;
};

}  // namespace tweetup::metrics
